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
# Each console block is a session: its commands run in order, in one folder.
SESSIONS = [re.findall(r"^\$ (provcheck [^#\n]+?)\s*(?:#.*)?$", block, flags=re.MULTILINE)
            for block in re.findall(r"```console\n(.*?)```", README, flags=re.DOTALL)]


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


@pytest.mark.parametrize("session", SESSIONS, ids=[f"block{n}" for n in range(len(SESSIONS))])
def test_readme_examples_run(session: list[str], tmp_path: Path, data_dir: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert session
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    for example in session:
        args = shlex.split(example.replace("../shared/data", str(data_dir)))[1:]
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1), (example, result.output)
        assert not result.stderr.startswith("Error"), example


def test_the_github_actions_job_gates_as_described(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The workflow's provcheck steps, run in order: a copy of a held article fails the
    job with an annotation on the file, an unrelated article passes."""
    workflow = re.search(r"```yaml\n(.*?)```", README, flags=re.DOTALL)
    assert workflow
    steps = re.findall(r"^\s+- run: (provcheck .+)$", workflow.group(1), flags=re.MULTILINE)
    assert [s.split()[1] for s in steps] == ["index", "check"]
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    (tmp_path / "articles").mkdir()
    for path in seeds[:2]:
        shutil.copy(path, tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    for incoming, expected in ((seeds[4], 0), (seeds[1], 1)):
        shutil.rmtree(tmp_path / "incoming", ignore_errors=True)
        (tmp_path / "incoming").mkdir()
        copy = tmp_path / "incoming" / "new.txt"
        copy.write_text(incoming.read_text(encoding="utf-8").replace("Wednesday", "Thursday"),
                        encoding="utf-8")
        codes = []
        for step in steps:
            result = CliRunner().invoke(main, shlex.split(step)[1:])
            codes.append(result.exit_code)
        assert codes == [0, expected], result.output
        if expected:
            assert result.stdout.startswith("::error file=incoming/new.txt,title=provcheck ")
