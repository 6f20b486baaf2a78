"""Shared fixtures: the CLI runner, the seed corpus and the labelled evaluation data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(os.environ.get("PROVCHECK_DATA", ROOT.parent / "shared" / "data"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite the golden reports from the current output.")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """Seed texts by their three-digit prefix ("000" .. "004")."""
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared evaluation data; its absence is a failure, not a skip."""
    if not (DATA / "pan13-train.tar.gz").is_file():
        pytest.fail(f"evaluation data not found in {DATA}: put ../shared/data next to the "
                    "project or set PROVCHECK_DATA")
    return DATA


@pytest.fixture(scope="session")
def pan13_root(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from provcheck.eval.pan13 import corpus_root

    return corpus_root(str(data_dir / "pan13-train.tar.gz"),
                       cache=str(tmp_path_factory.mktemp("pan13-cache")))


@pytest.fixture(scope="session")
def pan13_folder(pan13_root: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Path]:
    """Makes a folder of the first ``count`` PAN13 source articles: real, unrelated texts."""
    def make(count: int) -> Path:
        folder = tmp_path_factory.mktemp(f"pan13-{count}")
        for path in sorted((pan13_root / "src").glob("*.txt"))[:count]:
            shutil.copy(path, folder)
        return folder
    return make


@pytest.fixture(scope="session")
def polnear_root(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from provcheck.eval.polnear import corpus_root

    return corpus_root(str(data_dir / "polnear-train-dev.tar.gz"),
                       cache=str(tmp_path_factory.mktemp("polnear-cache")))


@pytest.fixture(scope="session")
def chromium() -> str:
    """The real browser the HTML report is tested in."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium is needed for the HTML tests: apt-get install -y chromium")
    return found


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
