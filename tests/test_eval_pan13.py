"""The PAN13 evaluation: the measure itself, and a gate on a fixed sample of the corpus."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pytest

from provcheck.eval.pan13 import Annotation, evaluate, format_scores, load_pairs, scores
from provcheck.settings import Settings

FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text())["pan13"]
PAIR = ("s.txt", "r.txt")


def ann(this: tuple[int, int], src: tuple[int, int], pair: tuple[str, str] = PAIR) -> Annotation:
    return Annotation(pair, this[0], this[1], src[0], src[1])


def test_perfect_detection_scores_one() -> None:
    case = ann((100, 200), (0, 100))
    assert scores([case], [case])["plagdet"] == 1.0


def test_half_detected_case() -> None:
    result = scores([ann((0, 100), (0, 100))], [ann((0, 50), (0, 50))])
    assert result["recall"] == pytest.approx(0.5)
    assert result["precision"] == pytest.approx(1.0)


def test_split_detection_is_penalised_by_granularity() -> None:
    result = scores([ann((0, 100), (0, 100))], [ann((0, 50), (0, 50)), ann((50, 100), (50, 100))])
    assert result["granularity"] == 2.0
    assert result["plagdet"] == pytest.approx(1.0 / math.log2(3))


def test_detection_must_overlap_in_both_documents() -> None:
    result = scores([ann((0, 100), (0, 100))], [ann((0, 100), (500, 600))])
    assert result["recall"] == 0.0 and result["precision"] == 0.0


def test_detection_in_another_pair_does_not_count() -> None:
    result = scores([ann((0, 100), (0, 100))], [ann((0, 100), (0, 100), ("x.txt", "r.txt"))])
    assert result["recall"] == 0.0


def test_aligner_meets_the_floors_on_the_pan13_sample(data_dir: Path, pan13_root: Path) -> None:
    tarball = data_dir / FLOORS["corpus"]
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    assert digest == FLOORS["sha256"], (
        "the PAN13 corpus changed: re-measure and store new floors in tests/eval_floors.json")
    result = evaluate(str(pan13_root), Settings(jobs=2), sample=FLOORS["sample_per_type"],
                      sample_seed=FLOORS["sample_seed"], end_to_end=False)
    measured = {k: v["plagdet"] for k, v in result["types"].items()}
    measured["overall"] = result["overall"]["plagdet"]
    below = {k: round(measured[k], 4) for k, floor in FLOORS["floors"].items()
             if measured[k] < floor}
    assert not below, f"plagdet below the floors {FLOORS['floors']}: {below}"
    assert result["overall"]["false_positive_rate"] <= FLOORS["max_false_positive_rate"]


def test_end_to_end_scores_the_report_a_user_gets(pan13_root: Path) -> None:
    """One compare over the sampled pairs' documents: its regions, turned to each
    labelled pair's orientation, are the detections; on copies they find what the
    aligner finds pair by pair, and a pair the report lacks has none."""
    result = evaluate(str(pan13_root), Settings(jobs=2), sample=6, sample_seed=3)
    e2e = result["end_to_end"]
    pairs = load_pairs(pan13_root, 6, 3)
    assert e2e["documents"] == len({p.susp for p in pairs} | {p.src for p in pairs})
    copies = e2e["types"]["02-no-obfuscation"]
    assert copies["pairs_with_detections"] == copies["pairs"] == 6
    assert copies["plagdet"] > 0.9
    assert copies["plagdet"] == pytest.approx(
        result["types"]["02-no-obfuscation"]["plagdet"], abs=0.05)
    assert e2e["pairs_reported"] <= len(pairs)
    text = format_scores(result)
    assert "per pair" in text and "end to end (one compare over the" in text
