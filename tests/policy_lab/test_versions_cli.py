"""Issue 15 acceptance through the command line: upload the late hand-over fine at 80 元 from
2026-11-01, `policy diff` lists exactly that change with PEN-1, the GM activates it, October's
fines stay 50 and November's are 80 — on memory and on SQLite (the real SQL adapter)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from lab_support import DEFAULT_TEXT, with_file_late

from adapters.bootstrap import App, bootstrap
from adapters.cli.main import cli
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csd_support import make_org
from csdomain.kernel.clock import FixedClock


@pytest.fixture(params=["memory", "sqlite"])
def cli_app(request: pytest.FixtureRequest, clock: FixedClock, tmp_path: Path) -> Iterator[App]:
    if request.param == "memory":
        yield bootstrap(Settings(storage="memory"), clock=clock, policy=default_policy())
        return
    url = f"sqlite:///{tmp_path}/lab.db"
    app = bootstrap(
        Settings(storage="sql", database_url=url),
        clock=clock,
        policy=default_policy(),
        create_schema=True,
    )
    try:
        yield app
    finally:
        app.close()


def _run(app: App, *args: str, actor: str | None = None) -> Result:
    argv = [*(["--as", actor] if actor else []), *args]
    return CliRunner().invoke(cli, argv, obj=app)


def _json(app: App, *args: str, actor: str | None = None) -> Any:
    result = _run(app, *args, "--json", actor=actor)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout)


def test_pen1_fine_raised_from_nov_1_through_the_cli(
    cli_app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    org = make_org(cli_app)
    (tmp_path / "current.toml").write_text(DEFAULT_TEXT, encoding="utf-8")
    (tmp_path / "raised.toml").write_text(with_file_late("80.00"), encoding="utf-8")
    # diff of two files needs no database and no actor
    files = _json(cli_app, "policy", "diff", "current.toml", "raised.toml")
    assert files["changes"] == [
        {
            "path": "penalties.catalogue[file_late].amount",
            "kind": "changed",
            "old": "50.00",
            "new": "80.00",
            "rules": ["PEN-1"],
        }
    ]
    text = _run(cli_app, "policy", "diff", "current.toml", "raised.toml")
    assert 'PEN-1  penalties.catalogue[file_late].amount: "50.00" → "80.00"' in text.stdout

    draft = _json(
        cli_app,
        "policy",
        "upload",
        "raised.toml",
        "--effective-from",
        "2026-11-01",
        "--note",
        "late hand-over 80",
        actor=org.manager.id,
    )
    assert (draft["number"], draft["state"]) == (2, "draft")
    stored = _json(cli_app, "policy", "diff", "1", "2", actor=org.manager.id)
    assert stored["changes"] == files["changes"]
    # the uploader may not activate; X-3: a manager is not the GM
    assert _run(cli_app, "policy", "activate", "2", actor=org.manager.id).exit_code == 7
    active = _json(cli_app, "policy", "activate", "2", actor=org.gm.id)
    assert (active["state"], active["approved_by"]) == ("active", org.gm.id)
    versions = _json(cli_app, "policy", "versions", actor=org.manager.id)
    assert [(v["number"], v["state"], v["effective_from"]) for v in versions] == [
        (1, "active", default_policy().bounds.earliest_date.isoformat()),
        (2, "active", "2026-11-01"),
    ]
    ps = cli_app.services.penalties
    october = ps.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 10, 30), evidence="register"
    )[0]
    november = ps.record_violation(
        org.manager.id, org.sales2.id, "file_late", date(2026, 11, 2), evidence="register"
    )[0]
    assert (f"{october.amount.amount:.2f}", october.policy_version) == ("50.00", 1)
    assert (f"{november.amount.amount:.2f}", november.policy_version) == ("80.00", 2)
    statement = _json(
        cli_app, "penalties", "statement", org.sales.id, "--month", "2026-10", actor=org.manager.id
    )
    assert "50.00" in json.dumps(statement)


def test_an_invalid_upload_exits_3_naming_every_bad_key(
    cli_app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    org = make_org(cli_app)
    bad = with_file_late("-5").replace("complaint_cap_percent = 50", "complaint_cap_percnt = 50")
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    result = _run(
        cli_app,
        "--json",
        "policy",
        "upload",
        "bad.toml",
        "--effective-from",
        "2026-11-01",
        actor=org.manager.id,
    )
    assert result.exit_code == 3, (result.stdout, result.stderr)
    problem = json.loads(result.stderr)
    fields = [e["field"] for e in problem["errors"]]
    assert fields == [
        "$.penalties.catalogue[0].amount",
        "$.penalties.complaint_cap_percent",
        "$.penalties",
    ]
    assert _json(cli_app, "policy", "versions", actor=org.manager.id)[-1]["number"] == 1


def test_policy_show_on_a_day_prints_the_version_in_force(cli_app: App) -> None:
    org = make_org(cli_app)
    from csdomain.policy_lab.commands import UploadPolicy

    lab = cli_app.services.policy_lab
    cmd = UploadPolicy(document=with_file_late("80.00"), effective_from=date(2026, 11, 1))
    lab.activate(org.gm.id, lab.upload(org.manager.id, cmd).number)

    def fine(day: str) -> str:
        shown = _json(cli_app, "policy", "show", "--on", day, actor=org.sales.id)
        return next(
            e["amount"] for e in shown["penalties"]["catalogue"] if e["code"] == "file_late"
        )

    assert (fine("2026-10-31"), fine("2026-11-01")) == ("50.00", "80.00")
    assert _run(cli_app, "policy", "show", "--on", "2026-11-01").exit_code == 2  # needs --as
