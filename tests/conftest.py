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
def story_corpus(polnear_root: Path) -> Callable[[int, Path], Path]:
    """Makes ``originals`` x 5 generated articles forming stories, as a JSONL file in a
    folder: real PolNeAR articles, each reused by four outlets in later stories, by the
    mutations the verdict model is fitted on (syndicated, edited, paraphrased, partly
    taken in), each reuse's own text taken from other real articles."""
    import json
    from datetime import datetime, timedelta

    import numpy as np

    from provcheck.eval.mutations import KINDS, WordChain, derive

    texts = [p.read_text(encoding="utf-8")
             for p in sorted((polnear_root / "train" / "text").glob("*.txt"))]

    def make(originals: int, folder: Path) -> Path:
        chain = WordChain.of(texts[:3 * originals])
        rng = np.random.default_rng(25)
        others = texts[originals:]
        records = []
        for n, text in enumerate(texts[:originals]):
            first = datetime(2020, 1, 1, 8) + timedelta(hours=int(rng.integers(0, 24 * 60)))
            source = {"id": f"s{n:03d}-0", "title": text.split("\n", 1)[0].strip(),
                      "text": text.strip(), "outlet": f"Outlet {n % 23}",
                      "published": first.isoformat(timespec="minutes")}
            records.append(source)
            for k, kind in enumerate(KINDS, start=1):
                fresh = [s for s in " ".join(others[(n * 4 + k) % len(others)].split())
                         .split(". ") if len(s) > 12]
                title, paragraphs = derive(chain, rng, kind, source, fresh)
                when = first + timedelta(minutes=int(rng.integers(30, 48 * 60)))
                records.append({"id": f"s{n:03d}-{k}", "title": title,
                                "outlet": f"Outlet {(n + 5 * k) % 23 + 23 * (k % 2)}",
                                "published": when.isoformat(timespec="minutes"),
                                "text": "\n\n".join([title, *paragraphs])})
        path = folder / "articles.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path
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
