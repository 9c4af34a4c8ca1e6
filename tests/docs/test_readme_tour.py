"""The README's tour runs as written (issue 11: docs that cannot rot).

The ``<!-- tour:cli -->`` shell blocks are executed line by line with bash in an empty
folder, each line verbatim except for the ``<NAME>`` placeholders, which are the ids (or case
numbers) earlier lines printed: a line ending ``# → <NAME>`` defines NAME from its output,
``# exit N`` expects that exit code (else 0). The ``<!-- tour:python -->`` block runs as a
script in another empty folder. Breaking any command in the README fails this test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from csdomain.kernel.errors import NotFound

README = Path(__file__).resolve().parents[2] / "README.md"
BIN = Path(sys.executable).parent
ID = re.compile(r"\b[a-z]{3}_[0-9a-f]{20}\b")
CASE_NUMBER = re.compile(r"\b\d{6}-\d{4}\b")
DEFINES = re.compile(r"→\s*<([A-Z_]+)>")
EXPECTS = re.compile(r"\bexit (\d+)\b")
PLACEHOLDER = re.compile(r"<([A-Z_]+)>")

pytestmark = pytest.mark.slow


def blocks(kind: str) -> list[str]:
    """The README's fenced blocks marked ``<!-- tour:KIND -->``."""
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"<!-- tour:{kind} -->\n```\w+\n(.*?)```", text, flags=re.S)


def commands(block: str) -> list[tuple[str, str]]:
    """(command, trailing comment) per logical line; continuation lines joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in block.splitlines():
        line = pending + raw
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        command, _, comment = line.partition(" # ")
        out.append((command.strip(), comment.strip()))
    return out


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSDOMAIN_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_tour(lines: list[tuple[str, str]], folder: Path) -> dict[str, str]:
    """Run the tour's lines in ``folder``; return the placeholders it defined."""
    assert shutil.which("csdomain", path=str(BIN)), f"csdomain is not installed in {BIN}"
    names: dict[str, str] = {}
    exports: list[str] = []
    for command, comment in lines:
        missing = [n for n in PLACEHOLDER.findall(command) if n not in names]
        assert not missing, f"{command!r} uses {missing} before a command defines them"
        line = PLACEHOLDER.sub(lambda m: names[m.group(1)], command)
        result = subprocess.run(
            ["bash", "-c", "\n".join([*exports, line])],
            cwd=folder,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        expected = int(m.group(1)) if (m := EXPECTS.search(comment)) else 0
        assert result.returncode == expected, (
            f"README tour: {command!r} exited {result.returncode}, expected {expected}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        )
        if line.startswith("export "):
            exports.append(line)
        for name in DEFINES.findall(comment):
            pattern = CASE_NUMBER if name.endswith("_NO") else ID
            found = pattern.search(result.stdout)
            assert found, f"{command!r} should print {name}; stdout: {result.stdout}"
            names[name] = found.group(0)
    return names


def test_the_readme_cli_tour_runs_verbatim(tmp_path: Path) -> None:
    lines = [line for block in blocks("cli") for line in commands(block)]
    assert len(lines) >= 20, "the tour blocks were not found in README.md"
    names = run_tour(lines, tmp_path)
    wanted = {"ADMIN_ID", "LI_ID", "HAN_ID", "MANAGER_ID", "DESK_ID", "CUSTOMER_ID", "CASE_NO"}
    assert wanted <= set(names)
    assert (tmp_path / "oct.csv").exists() and (tmp_path / "my-policy.toml").exists()


def test_a_broken_readme_command_fails_the_tour(tmp_path: Path) -> None:
    """The check has teeth: the same runner refuses a tour with a mistyped command."""
    lines = [line for block in blocks("cli") for line in commands(block)][:4]
    broken = [(c.replace("departments add", "departments ad"), k) for c, k in lines]
    assert broken != lines
    with pytest.raises(AssertionError, match="departments ad"):
        run_tour(broken, tmp_path)


def test_the_readme_python_quick_start_runs_in_an_empty_folder(tmp_path: Path) -> None:
    [code] = blocks("python")
    script = tmp_path / "script" / "quick_start.py"
    script.parent.mkdir()
    script.write_text(code, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=work,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "['张三']" in result.stdout
    assert {p.name for p in work.iterdir()} <= {"csdomain.db", "csdomain.db-wal", "csdomain.db-shm"}


def test_bootstrap_without_a_database_says_what_to_run_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotFound) as info:
        bootstrap(Settings())
    assert "csdomain init" in info.value.message and "create_schema=True" in info.value.message
    assert list(tmp_path.iterdir()) == []
