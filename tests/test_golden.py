"""The seed corpus report, pinned: any change to it is a decision, made with
``pytest --update-golden`` and reviewed in the diff of tests/golden/seeds.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provcheck.cli import main

GOLDEN = Path(__file__).parent / "golden" / "seeds.json"
ROOT = Path(__file__).resolve().parent.parent


def stable(report: dict) -> dict:  # type: ignore[type-arg]
    """The report without what varies from run to run (timings)."""
    report["stats"].pop("seconds", None)
    return report


def test_seed_report_matches_golden(monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["compare", "seeds/", "--format", "json", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    report = stable(json.loads(result.stdout))
    if update_golden:
        GOLDEN.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")
    assert report == json.loads(GOLDEN.read_text(encoding="utf-8"))
