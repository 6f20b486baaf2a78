"""The README's examples work as written, and CI runs the README's test command."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from provcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"^\$ (provcheck .+)$", README, flags=re.MULTILINE)


def test_first_screen_has_the_two_setup_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:32])
    commands = re.findall(r"^    (python3 -m venv .+)$", first_screen, flags=re.MULTILINE)
    assert len(commands) == 2
    assert commands[0].endswith("provcheck compare seeds/")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "grep -A1 'ci: the next command' README.md" in ci
    marked = README.split("ci: the next command", 1)[1].splitlines()[1].strip()
    assert "pytest" in marked


@pytest.mark.parametrize("example", EXAMPLES)
def test_readme_example_runs(example: str, tmp_path: Path, data_dir: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    args = shlex.split(example.replace("../shared/data", str(data_dir)))[1:]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    assert not result.stderr.startswith("Error")
