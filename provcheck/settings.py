"""Run settings: every tunable of the pipeline in one frozen record, recorded in reports."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from provcheck.errors import ConfigError

MB = 1024 * 1024
# Raised whenever tokenising, segmenting or chrome rules change what a passage's signature
# is made of: an index built by an older analysis must be rebuilt, not queried.
ANALYSIS_VERSION = 1


# The signature settings an index records: its values are used unless given (``resolve``).
SIGNATURE_OPTIONS = ("num_perm", "seed", "lsh_threshold")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Options of one run. Defaults are the tuned values; reports record all of them."""

    # MinHash: datasketch's "affine32" scheme, default seed, and its SHA-1 hash of each
    # shingle's UTF-8 bytes, so signatures equal datasketch.MinHash(num_perm, seed).
    num_perm: int = 128
    seed: int = 1
    scheme: str = "affine32"
    shingle: str = "content-word stems"
    lsh_threshold: float = 0.3
    # A band bucket shared by more documents than this is boilerplate, not evidence.
    max_bucket_docs: int = 50
    # A document pair is aligned when one passage pair estimates this Jaccard, or
    # when this many passage pairs collide, and the evidence shares this many shingles
    # (estimated; one collision of two short, common sentences is chance at scale).
    candidate_jaccard: float = 0.4
    candidate_hits: int = 2
    candidate_shared: float = 5.0

    # Seeds: sentence pairs similar enough to start a shared passage.
    seed_cosine: float = 0.33
    seed_dice: float = 0.33
    # Sentence clustering: how many sentences may separate two seeds of one region.
    max_gap: int = 4
    summary_max_gap: int = 24
    region_validation: float = 0.34
    # Smallest reportable passage, in words, and in content words that are not names.
    min_passage_words: int = 5
    min_passage_content: int = 2
    # Smallest region reported on its own: shorter ones need a verbatim stretch, unless
    # they hold this share of the shorter text.
    min_region_chars: int = 150
    min_region_share: float = 0.5
    min_verbatim_run: int = 6

    # Ingest.
    max_file_bytes: int = 20 * MB

    # Parallelism: worker processes for the per-document and per-pair stages.
    jobs: int = 1

    def __post_init__(self) -> None:
        if self.num_perm < 16:
            raise ConfigError(f"--num-perm {self.num_perm} is too small: use 16 or more.")
        if not 0.05 <= self.lsh_threshold <= 0.95:
            raise ConfigError(
                f"--lsh-threshold {self.lsh_threshold} is out of range: use 0.05 to 0.95."
            )
        if self.jobs < 1:
            raise ConfigError(f"--jobs {self.jobs} must be 1 or more.")
        if self.max_file_bytes < 1:
            raise ConfigError("--max-file-size must be positive.")

    @cached_property
    def bands(self) -> tuple[int, int]:
        """(bands, rows) for the LSH threshold, as datasketch's MinHashLSH chooses them."""
        from datasketch import MinHashLSH

        lsh = MinHashLSH(threshold=self.lsh_threshold, num_perm=self.num_perm)
        return lsh.b, lsh.r

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.pop("jobs")
        bands, rows = self.bands
        out["lsh_bands"] = bands
        out["lsh_rows"] = rows
        out["hash"] = "sha1_hash32 (datasketch default) of each shingle's UTF-8 bytes"
        out["analysis"] = ANALYSIS_VERSION
        out["verdict_model"] = _verdict_model_version()
        return out


def _verdict_model_version() -> str:
    from provcheck.verdict import load

    return load().version


def resolve(options: Mapping[str, Any], *, given: Collection[str] = (),
            stored: Mapping[str, Any] | None = None) -> Settings:
    """Settings from command-line ``options`` (``jobs``, ``max_file_size`` in MB and the
    ``SIGNATURE_OPTIONS``; ``given``: those set on the command line) and the settings an
    existing index ``stored``: the index's signature settings win unless given, and then
    the index checks that they match what it holds."""
    values = {k: options[k] for k in SIGNATURE_OPTIONS if k in options}
    values |= {k: v for k, v in (stored or {}).items() if k in SIGNATURE_OPTIONS
               and k not in given}
    if "jobs" in options:
        values["jobs"] = options["jobs"]
    if "max_file_size" in options:
        values["max_file_bytes"] = int(options["max_file_size"] * MB)
    return Settings(**values)
