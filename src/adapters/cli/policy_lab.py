"""``csdomain policy diff|versions|upload|activate``: policy versions with effective dates
(issue 15). Attached to the ``policy`` group by ``adapters.cli.main``; only Click is imported
at start-up (``csdomain --help`` loads no policy, calendar or storage, issue 10).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from adapters.cli.commands import Command
from adapters.cli.common import DATE
from adapters.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from csdomain.policy_lab.diff import PolicyChange
    from csdomain.policy_lab.model import PolicyVersion


def _version_row(v: PolicyVersion) -> tuple[Any, ...]:
    return (
        v.number,
        v.effective_from,
        str(v.state),
        v.uploaded_by or "—",
        v.approved_by or "—",
        v.sha256[:12],
        v.note,
    )


def _version_data(v: PolicyVersion) -> dict[str, Any]:
    return {
        "number": v.number,
        "effective_from": v.effective_from.isoformat(),
        "state": str(v.state),
        "sha256": v.sha256,
        "uploaded_by": v.uploaded_by or None,
        "uploaded_at": v.uploaded_at.isoformat(),
        "approved_by": v.approved_by,
        "approved_at": v.approved_at.isoformat() if v.approved_at else None,
        "note": v.note,
    }


def _side(st: CliState, which: str) -> tuple[str, dict[str, Any]]:
    """A policy file, or a stored version number, as (label, plain dict form)."""
    from adapters.policy_file import load_policy
    from adapters.policy_file.loader import policy_to_dict
    from adapters.policy_file.parser import TomlPolicyParser

    if which.isdigit() and not Path(which).exists():
        app, actor = st.acting()
        version = app.services.policy_lab.get(actor, int(which))
        base = app.services.ctx.base_policy
        policy = TomlPolicyParser().parse_stored(version.document, f"version {which}", base)
        return f"version {which}", dict(policy_to_dict(policy))
    return which, dict(policy_to_dict(load_policy(which)))


def _changes_text(old: str, new: str, changes: list[PolicyChange]) -> str:
    from csdomain.policy_lab.diff import format_change

    if not changes:
        return f"no change from {old} to {new}"
    head = f"{len(changes)} change(s) from {old} to {new}:"
    return "\n".join([head, *(f"  {format_change(c)}" for c in changes)])


@click.command("diff", cls=Command)
@click.argument("old")
@click.argument("new")
@pass_state
def policy_diff(st: CliState, old: str, new: str) -> None:
    """Every changed key from OLD to NEW with the rule IDs it concerns and old → new values.

    OLD and NEW are policy files or stored version numbers (`csdomain policy versions`;
    version 1 is the policy the application started with). Lists of tables compare entry by
    entry by their code or name (penalties.catalogue[file_late].amount)."""
    from csdomain.policy_lab.diff import diff_policies

    (old_label, before), (new_label, after) = _side(st, old), _side(st, new)
    changes = diff_policies(before, after)
    st.emit(
        None,
        lambda: _changes_text(old_label, new_label, changes),
        data={"old": old_label, "new": new_label, "changes": [c.to_dict() for c in changes]},
    )


@click.command("versions", cls=Command)
@pass_state
def policy_versions(st: CliState) -> None:
    """The stored policy versions: number, effective date, state (draft, active,
    superseded), who uploaded and who approved it."""
    from adapters.cli.render import Formatter, table

    app, actor = st.acting()
    versions = app.services.policy_lab.list(actor)
    st.emit(
        None,
        lambda: table(
            ["number", "effective from", "state", "uploaded by", "approved by", "sha256", "note"],
            [_version_row(v) for v in versions],
            Formatter(),
            empty="(no versions)",
        ),
        data=[_version_data(v) for v in versions],
    )


@click.command("upload", cls=Command)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--effective-from", "effective_from", required=True, type=DATE, help="The day it takes effect."
)
@click.option("--note", default="", help="Why (shown in `policy versions` and the audit trail).")
@pass_state
def policy_upload(st: CliState, file: str, effective_from: datetime, note: str) -> None:
    """Store FILE as a draft version taking effect on --effective-from; an invalid file is
    refused with every bad key's path (exit 3). The general manager activates it."""
    from csdomain.policy_lab.commands import UploadPolicy

    document = Path(file).read_text(encoding="utf-8")
    app, actor = st.acting()
    cmd = UploadPolicy(document=document, effective_from=effective_from.date(), note=note)
    version = app.services.policy_lab.upload(actor, cmd)
    st.emit(
        None,
        lambda: (
            f"uploaded {file} as draft version {version.number}, "
            f"effective from {version.effective_from}"
        ),
        data=_version_data(version),
    )


@click.command("activate", cls=Command)
@click.argument("number", type=click.IntRange(1, 2**31 - 1))
@pass_state
def policy_activate(st: CliState, number: int) -> None:
    """Put draft version NUMBER in force from its effective date (the GM; never the one who
    uploaded it, X-4). Decisions already taken keep the version they used."""
    app, actor = st.acting()
    version = app.services.policy_lab.activate(actor, number)
    st.emit(
        None,
        lambda: f"version {version.number} is in force from {version.effective_from}",
        data=_version_data(version),
    )


COMMANDS = [policy_diff, policy_versions, policy_upload, policy_activate]
