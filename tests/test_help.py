"""Every command's ``--help`` examples work as written (as sqlite-utils tests its
documentation): each runs, in a folder holding what the examples name, and ends with
exit 0 or 1 (a check that finds a match) and no error."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from provcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


COMMANDS = _commands(main)


def _examples(command: tuple[str, ...]) -> list[str]:
    text = CliRunner().invoke(main, [*command, "--help"], terminal_width=200).stdout
    return re.findall(r"^\s+(provcheck \S.*?)\s*$", text.split("Example:", 1)[-1],
                      flags=re.MULTILINE)


def _order(example: str) -> int:
    """Build the index before anything reads it, and remove from it last."""
    return 0 if " index add " in example else 2 if " index remove " in example else 1


def test_every_command_has_examples() -> None:
    assert len(COMMANDS) >= 12
    assert [c for c in COMMANDS if not _examples(c)] == []


def test_every_help_example_runs(tmp_path: Path, data_dir: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The folders the examples name: ``seeds/``, ``articles/`` and ``corpus/`` (the
    seeds but 002), ``incoming/`` (002), ``pages/`` with ``pages.csv``, a manifest."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    for folder in ("articles", "corpus", "pages"):
        (tmp_path / folder).mkdir()
        for path in SEEDS:
            if not path.name.startswith("002"):
                shutil.copy(path, tmp_path / folder)
    (tmp_path / "incoming").mkdir()
    shutil.copy(SEEDS[2], tmp_path / "incoming")
    rows = "".join(f"{p.name},Outlet {k},2020-03-0{k + 1}\n" for k, p in enumerate(SEEDS))
    for manifest in ("manifest.csv", "pages.csv"):
        (tmp_path / manifest).write_text("path,outlet,published\n" + rows, encoding="utf-8")
    (tmp_path / "provcheck" / "data").mkdir(parents=True)  # where eval fit writes its model
    monkeypatch.chdir(tmp_path)
    examples = sorted((e for c in COMMANDS for e in _examples(c)), key=_order)
    for example in examples:
        args = shlex.split(example.replace("../shared/data", str(data_dir)))[1:]
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1), (example, result.output)
        assert "Error" not in result.stderr, (example, result.stderr)
