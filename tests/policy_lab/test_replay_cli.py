"""``csdomain policy replay`` over a SQLite file (issue 15): text, ``--json``, CSV and XLSX
exports, exit codes naming the field, and the database file byte-for-byte unchanged."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from replay_support import doubling_from_second_text, record_october

from adapters.bootstrap import bootstrap
from adapters.cli.main import cli
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csd_support import at, make_org
from csdomain.kernel.clock import FixedClock


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, str]]:
    """A SQLite file holding the recorded October; its URL and the ids the tests use."""
    for name in ("CSDOMAIN_DATABASE_URL", "CSDOMAIN_STORAGE", "CSDOMAIN_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CSDOMAIN_ACTOR", raising=False)
    url = f"sqlite:///{tmp_path / 'company.db'}"
    clock = FixedClock(at("2026-10-01 09:00"))
    app = bootstrap(
        Settings(database_url=url), clock=clock, policy=default_policy(), create_schema=True
    )
    try:
        org = make_org(app)
        people = record_october(app, org)
    finally:
        app.close()  # the last connection checkpoints the WAL into the file
    ids = {"manager": org.manager.id, "sales": org.sales.id}
    ids.update({k: v.id for k, v in people.items()})
    return url, ids


def _db_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + b"|" + (wal.read_bytes() if wal.exists() else b"")


def _invoke(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--database-url", url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_pen2_cli_replay_json_csv_xlsx_and_the_file_unchanged(
    recorded: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    """PEN-2 acceptance through the CLI: exactly the two affected service advisers, their
    differences; the exports carry the same rows; the SQLite file is byte-for-byte the same."""
    url, ids = recorded
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(doubling_from_second_text(), encoding="utf-8")
    out_csv, out_xlsx = tmp_path / "replay.csv", tmp_path / "replay.xlsx"
    before = _db_bytes(url)

    code, stdout, stderr = _invoke(
        url,
        "--as",
        ids["manager"],
        "policy",
        "replay",
        "--policy",
        str(candidate),
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--json",
        "--csv",
        str(out_csv),
        "--xlsx",
        str(out_xlsx),
    )

    assert code == 0, stderr
    assert _db_bytes(url) == before
    report = json.loads(stdout)
    fines = next(s for s in report["sections"] if s["capability"] == "penalties")
    got = {
        (i["subject_id"], i["period"], i["old"], i["new"], i["difference"]) for i in fines["items"]
    }
    assert got == {
        (ids["zhou"], "2026-10", "250.00", "350.00", "+100.00"),
        (ids["gao"], "2026-10", "100.00", "150.00", "+50.00"),
    }
    assert report["changes"] == [
        "PEN-2  penalties.repeat_rules.file_rules.from_nth.service_adviser: 3 → 2"
    ]
    assert fines["totals"] == [
        {"measure": "fines (元)", "old": "650.00", "new": "800.00", "difference": "+150.00"}
    ]
    assert "Replaying" not in stderr  # no progress bar when stderr is not a terminal

    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert {(r["subject_id"], r["difference"]) for r in rows if r["capability"] == "penalties"} == {
        (ids["zhou"], "+100.00"),
        (ids["gao"], "+50.00"),
    }

    from openpyxl import load_workbook

    wb = load_workbook(out_xlsx)
    assert wb.sheetnames == ["summary", "differences"]
    sheet = list(wb["differences"].iter_rows(values_only=True))
    header, body = sheet[0], sheet[1:]
    diff = header.index("difference")
    subject = header.index("subject_id")
    assert {(r[subject], float(r[diff])) for r in body if r[0] == "penalties"} == {
        (ids["zhou"], 100.0),
        (ids["gao"], 50.0),
    }


def test_cli_replay_text_names_people_and_totals(
    recorded: tuple[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The human report: the affected people with their differences, the totals, and a
    progress bar on stderr when it is a terminal."""
    import adapters.cli.policy_replay as module

    monkeypatch.setattr(module, "interactive", lambda: True)
    url, ids = recorded
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(doubling_from_second_text(), encoding="utf-8")
    code, stdout, stderr = _invoke(
        url,
        "--as",
        ids["manager"],
        "policy",
        "replay",
        "--policy",
        str(candidate),
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--only",
        "penalties",
    )
    assert code == 0, stderr
    assert "Zhou Service (service_adviser)" in stdout and "+100.00" in stdout
    assert "Gao Service (service_adviser)" in stdout and "+50.00" in stdout
    assert "Ma Service" not in stdout and "Li Lei" not in stdout
    assert "650.00" in stdout and "800.00" in stdout
    assert "Replaying" in stderr


def test_cli_replay_refusals_exit_with_the_field(
    recorded: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    """X-8 a reversed period exits 3 naming ``end``; X-3 staff may not replay (exit 7); a
    broken candidate exits 9 listing its keys."""
    url, ids = recorded
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(doubling_from_second_text(), encoding="utf-8")
    base = ["policy", "replay", "--policy", str(candidate)]
    code, _, err = _invoke(
        url, "--as", ids["manager"], *base, "--from", "2026-10-31", "--to", "2026-10-01"
    )
    assert code == 3 and "end" in err
    code, _, err = _invoke(
        url, "--as", ids["sales"], *base, "--from", "2026-10-01", "--to", "2026-10-31"
    )
    assert code == 7 and "policy.replay" in err
    code, _, err = _invoke(
        url, "--as", ids["manager"], *base, "--from", "2026-10-01", "--to", "2026-13-01"
    )
    assert code == 3 and "field: end" in err
    broken = tmp_path / "broken.toml"
    broken.write_text(
        doubling_from_second_text().replace('multiplier = "2"', 'multiplier = "x"', 1)
    )
    code, _, err = _invoke(
        url,
        "--as",
        ids["manager"],
        "policy",
        "replay",
        "--policy",
        str(broken),
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
    )
    assert code == 9 and "multiplier" in err
