"""Bytes to text: UTF-8 first, other encodings detected, binary files refused."""

from __future__ import annotations

from charset_normalizer import from_bytes

# Control characters other than tab, newline, form feed and carriage return: a text file
# has next to none, a binary file many.
_CONTROL = bytes(range(0, 9)) + bytes([11]) + bytes(range(14, 32))
_SNIFF = 8192


class NotText(Exception):
    """The bytes are not a text the tool can read; the message says why."""


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raise NotText for binary or undecodable data."""
    if not data.strip():
        raise NotText("empty file (nothing but white space)")
    head = data[:_SNIFF]
    if b"\x00" in head and not _looks_utf16(head):
        raise NotText("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if sum(head.count(bytes([c])) for c in _CONTROL) > len(head) // 100 + 2:
        raise NotText("binary file (control bytes), not text")
    best = from_bytes(data).best()
    if best is None:
        raise NotText(
            "not UTF-8 and no text encoding fits; convert it to UTF-8 (e.g. iconv -t UTF-8)"
        )
    return str(best), best.encoding


def _looks_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))
