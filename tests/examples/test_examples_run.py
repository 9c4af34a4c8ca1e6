"""Every example under examples/ runs to completion (docs are part of done)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CSDOMAIN_STORAGE", "memory")
    monkeypatch.setattr(sys, "argv", [str(path)])
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out.strip()
    assert list(tmp_path.iterdir()) == [], "examples must not write into the current folder"


def test_settle_month_writes_into_the_given_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = next(p for p in EXAMPLES if p.stem == "settle_month")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path), "--out", str(out)])
    runpy.run_path(str(path), run_name="__main__")
    assert sorted(p.name for p in out.iterdir()) == [
        "statements-2026-10.csv",
        "statements-2026-10.xlsx",
    ]
    assert str(out) in capsys.readouterr().out


def test_customers_tour_on_sqlite_keeps_its_database_in_the_out_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = next(p for p in EXAMPLES if p.stem == "customers_tour")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CSDOMAIN_STORAGE", "sql")
    monkeypatch.delenv("CSDOMAIN_DATABASE_URL", raising=False)
    monkeypatch.setattr(sys, "argv", [str(path), "--out", str(out)])
    runpy.run_path(str(path), run_name="__main__")
    assert (out / "tour.db").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 3
