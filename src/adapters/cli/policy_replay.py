"""``csdomain policy replay``: the recorded history of a period under a candidate policy,
beside the policy in force, without writing anything (issue 15).

Attached to the ``policy`` group by ``adapters.cli.main``; only Click is imported at start-up
(``csdomain --help`` loads no policy, calendar or storage, issue 10).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from adapters.cli.commands import Command
from adapters.cli.common import DATE
from adapters.cli.state import CliState, pass_state

if TYPE_CHECKING:
    from csdomain.policy_lab.replay import ReplayItem, ReplayReport


def interactive() -> bool:
    """A progress bar only for a person watching: stderr is a terminal."""
    return sys.stderr.isatty()


def _text(report: ReplayReport, changes: list[str]) -> str:
    from adapters.cli.render import Formatter, details, table

    f = Formatter()
    head = details(
        [
            ("period", f"{report.start} … {report.end}"),
            ("in force", report.in_force),
            ("candidate", report.candidate),
            ("differing", report.differing),
        ],
        f,
    )
    listed = "\n".join(f"  {line}" for line in changes) or "  (no rule changed)"
    parts = [f"{head}\nchanges:\n{listed}"]
    for s in report.sections:
        totals = table(
            ["measure", "compared", "in force", "candidate", "difference"],
            [
                (t.measure, s.compared, f"{t.old:f}", f"{t.new:f}", f"{t.difference:+f}")
                for t in s.totals
            ],
            f,
            empty=f"(nothing recorded: {s.compared} compared)",
        )
        items = table(
            ["period", "subject", "in force", "candidate", "difference", "rule"],
            [(i.period, i.subject, i.old, i.new, f"{i.difference:+f}", i.rule) for i in s.items],
            f,
            empty="(no difference)",
        )
        parts.append(f"{s.title}\n{totals}\n\n{items}{_details(s.items)}")
    return "\n\n".join(parts)


def _details(items: Sequence[ReplayItem]) -> str:
    """Each item's why under the table, one line per reason (a person's month lists each
    violation): a column would make the table as wide as the longest month."""
    lines = []
    for i in items:
        if i.detail:
            lines.append(f"  {i.period}  {i.subject}:")
            lines += [f"    {part}" for part in i.detail.split("; ")]
    return "\n\nwhy:\n" + "\n".join(lines) if lines else ""


@click.command("replay", cls=Command)
@click.option(
    "--policy",
    "candidate_file",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The candidate policy (TOML) to replay the history under.",
)
@click.option("--from", "start", required=True, type=DATE, help="First day of the period.")
@click.option("--to", "end", required=True, type=DATE, help="Last day of the period.")
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="CAPABILITY",
    help="Replay only this capability (repeatable; default: every registered one).",
)
@click.option(
    "--csv", "csv_file", type=click.Path(dir_okay=False), metavar="FILE", help="Export CSV."
)
@click.option(
    "--xlsx", "xlsx_file", type=click.Path(dir_okay=False), metavar="FILE", help="Export XLSX."
)
@pass_state
def replay(
    st: CliState,
    candidate_file: str,
    start: datetime,
    end: datetime,
    only: tuple[str, ...],
    csv_file: str | None,
    xlsx_file: str | None,
) -> None:
    """Re-evaluate the recorded history of --from … --to under the candidate policy, beside
    the policy in force, and report every outcome that would differ (clock breaches and
    escalations, fines per person and month): totals and each differing item. Writes
    nothing to the database. A progress bar shows on a terminal."""
    from adapters.policy_file import load_policy
    from adapters.replay_report import policy_changes, report_csv, report_dict, report_xlsx

    candidate = load_policy(candidate_file)
    app, actor = st.acting()
    with ExitStack() as stack:
        bar: Any = None

        def progress(done: int, total: int, label: str) -> None:
            nonlocal bar
            if not interactive():
                return
            if bar is None:
                bar = stack.enter_context(
                    click.progressbar(length=total, label="Replaying", file=sys.stderr)
                )
            bar.label = f"Replaying {label}"
            bar.update(1)

        report = app.services.replay.replay(
            actor,
            candidate,
            start.date(),
            end.date(),
            capabilities=list(only) if only else None,
            progress=progress,
        )
    if csv_file:
        Path(csv_file).write_text(report_csv(report), encoding="utf-8")
    if xlsx_file:
        Path(xlsx_file).write_bytes(report_xlsx(report))
    changes = policy_changes(app.policy, candidate)
    st.emit(None, lambda: _text(report, changes), data=report_dict(report, changes))


COMMANDS = [replay]
