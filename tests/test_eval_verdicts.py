"""Gates on the verdicts over real, labelled news: scraped wire pages (news-wire-dev,
with the judged pairs), METER's press-agency copy and newspapers, PolNeAR's HuffPost
editor's note. Floors and corpus checksums are in eval_floors.json."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from provcheck.eval import meter, polnear, wire
from provcheck.pipeline import compare
from provcheck.settings import Settings

FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text())


def checked(data_dir: Path, name: str) -> Path:
    floors = FLOORS[name]
    tarball = data_dir / floors["corpus"]
    assert hashlib.sha256(tarball.read_bytes()).hexdigest() == floors["sha256"], (
        f"{floors['corpus']} changed: re-measure and store new floors in tests/eval_floors.json")
    return tarball


def test_verdicts_on_scraped_wire_pages(data_dir: Path) -> None:
    floors = FLOORS["wire"]
    folder, meta = wire.corpus(str(checked(data_dir, "wire")), None)
    result = wire.evaluate(str(folder), str(meta), Settings(jobs=2), floors["labels"])
    assert result["share_of_reuse_verdicts_sharing_under_5pc"] \
        <= floors["max_share_of_reuse_verdicts_sharing_under_5pc"]
    assert result["wire_pairs"]["syndicated_or_undirected"] \
        >= floors["min_syndicated_or_undirected"], result["wire_pairs"]["outlet_to_outlet"]
    assert len(result["pairs_sharing_half_not_related"]) \
        <= floors["max_pairs_sharing_half_not_related"]
    labelled = result["labelled"]
    assert labelled["relation_agreement"] >= floors["min_relation_agreement"]
    assert labelled["reuse_agreement"] >= floors["min_reuse_agreement"]


def test_verdicts_on_meter(data_dir: Path) -> None:
    floors = FLOORS["meter"]
    result = meter.evaluate(str(checked(data_dir, "meter")), Settings(jobs=2))
    ours = result["provcheck"]
    assert ours["macro_f1_verdicts"] >= floors["min_macro_f1_verdicts"]
    assert ours["auc_derived_vs_non"] >= floors["min_auc_derived_vs_non"]
    directions = result["directions"]
    assert directions["confident"] and directions["confident_right"] \
        >= floors["min_right_when_confident"] * directions["confident"]


def test_no_pair_is_related_by_huffposts_editors_note_alone(data_dir: Path,
                                                            polnear_root: Path,
                                                            tmp_path: Path) -> None:
    """PolNeAR's HuffPost articles close on one editor's note (39 words, in two
    wordings): set aside as boilerplate, it relates no two of them, and the report lists
    it with the documents that print it."""
    checked(data_dir, "polnear_boilerplate")
    manifest = polnear.write_manifest(polnear_root, tmp_path / "meta.csv")
    report = compare([str(polnear_root / "train" / "text"), str(polnear_root / "dev" / "text")],
                     Settings(jobs=2), meta=str(manifest))
    texts = {d.id: d.text for d in report.documents}

    def the_note(text: str) -> bool:
        return "Editor\u2019s note" in text or "serial liar" in text

    only_the_note = [p for p in report.pairs
                     if all(the_note(q.a.of(texts[p.a])) for q in p.passages)]
    assert len(only_the_note) <= FLOORS["polnear_boilerplate"]["max_pairs_only_by_the_editors_note"]
    notes = [b for b in report.boilerplate if the_note(b.printed[0][1].of(texts[b.printed[0][0]]))]
    assert sum(len(b.printed) for b in notes) >= 20


def test_the_bundled_judgements_name_documents_of_their_corpora(data_dir: Path,
                                                              polnear_root: Path) -> None:
    """Every judged pair names two documents of its corpus, once."""
    folder, _ = wire.corpus(str(checked(data_dir, "wire")), None)
    corpora = {"news-wire-dev": {p.stem for p in folder.glob("*.txt")},
               "polnear-train": {p.stem for p in (polnear_root / "train" / "text").glob("*.txt")}}
    for name, ids in corpora.items():
        rows = [r for r in csv.DictReader(line for line in
                                          (wire.LABELS / f"{name}.csv").open(encoding="utf-8")
                                          if not line.startswith("#"))]
        assert rows and all({r["a"], r["b"]} <= ids and r["reason"] for r in rows)
        assert len({frozenset((r["a"], r["b"])) for r in rows}) == len(rows)
        assert {r["relation"] for r in rows} <= {"duplicate", "syndicated", "copy",
                                                 "paraphrase", "shared_source", "unrelated"}
