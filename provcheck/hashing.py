"""datasketch's default hash, ``sha1_hash32``, without importing datasketch: its package
imports scipy's integrators (a third of a second), which a run needs only to choose the LSH bands
(``Settings.bands``), so they are loaded while the files are read (``pipeline.ready``)
instead of at every start. The two functions agree on every input (a test checks)."""

from __future__ import annotations

import hashlib


def sha1_hash32(data: bytes) -> int:
    """The first four bytes of ``data``'s SHA-1 digest as a little-endian integer."""
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "little")
