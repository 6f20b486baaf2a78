"""The fitted verdict model: the fit recovers what it should, and the shipped model is
transparent (every weight of the sign its evidence's meaning says) and named in reports."""

from __future__ import annotations

import numpy as np

from provcheck.eval.examples import Example
from provcheck.eval.fit import _dataset_weights, fit_logistic
from provcheck.pipeline import compare
from provcheck.settings import Settings
from provcheck.verdict import DESCRIPTIONS, explain, load


def test_the_fit_recovers_known_weights() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(20000, 2))
    y = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 + 2 * x[:, 0] - x[:, 1])))).astype(float)
    model = fit_logistic(["one", "two"], [{"one": a, "two": b} for a, b in x], y,
                         np.ones(len(y)))
    assert np.allclose(model.weights / model.scale, [2.0, -1.0], atol=0.1)
    assert abs(model.bias - (0.5 - (model.weights / model.scale) @ model.mean)) < 0.1


def test_a_data_set_weighs_the_same_whatever_its_size() -> None:
    """Doubling every example of a set halves each one's weight and changes no other
    set's; the two classes weigh the same in all."""
    def sets(big: int) -> list[Example]:
        return [Example(name, "g", {}, {}, k < share * n) for name, n, share in
                (("big", big, 0.9), ("small", 60, 0.5)) for k in range(n)]

    def weights(examples: list[Example]) -> np.ndarray:
        return _dataset_weights(examples, np.array([e.reuse for e in examples], dtype=float))

    once, twice = weights(sets(900)), weights(sets(1800))
    assert np.allclose(once[900:], twice[1800:])
    assert np.isclose(once[:900].sum(), twice[:1800].sum())
    y = np.array([e.reuse for e in sets(900)])
    assert np.isclose(once[y].sum(), once[~y].sum())


def test_the_shipped_model_reads_as_its_evidence_means() -> None:
    model = load()
    for fitted in (model.reuse, model.copied, model.direction):
        assert set(fitted.features) <= set(DESCRIPTIONS)
        assert all(w > 0 for w in fitted.weights), fitted  # more evidence, more likely
    assert model.direction.bias == 0.0  # no evidence either way: no direction
    assert model.direction.probability(dict.fromkeys(model.direction.features, 0.0)) == 0.5
    assert explain(model.direction, dict.fromkeys(model.direction.features, 0.0)) == \
        "no evidence either way"


def test_reports_name_the_model_that_made_their_verdicts(seeds_dir) -> None:  # type: ignore[no-untyped-def]
    report = compare([str(seeds_dir)], Settings())
    assert report.settings["verdict_model"] == load().version
