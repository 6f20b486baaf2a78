"""Bytes to text: UTF-8 first, other encodings detected, binary files refused."""

from __future__ import annotations

from charset_normalizer import from_bytes

# NUL and the control characters other than tab, newline, form feed and carriage
# return: a text file has next to none (a stray NUL happens), a binary file many.
_CONTROL = bytes(range(0, 9)) + bytes([11]) + bytes(range(14, 32))
_SNIFF = 8192
_DELETE_CONTROL = bytes.maketrans(b"", b"")
# Legacy encodings by how common they are in web and news text.
_PREVALENCE = {name: rank for rank, name in enumerate(
    ["cp1252", "latin_1", "iso8859_15", "cp1251", "shift_jis", "gb2312", "gb18030", "euc_kr",
     "big5", "cp1250", "iso8859_2", "koi8_r", "cp1256", "cp1253", "cp1254", "cp1255"])}


class NotText(Exception):
    """The bytes are not a text the tool can read; the message says why."""


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raise NotText for binary or undecodable data."""
    if not data.strip():
        raise NotText("empty file (nothing but white space)")
    head = data[:_SNIFF]
    control = 0 if _looks_utf16(head) else _control_bytes(head)
    # Binary formats are practically never valid UTF-8; valid UTF-8 is text unless
    # control bytes dominate. Other bytes must look like text before detection.
    try:
        text = data.decode("utf-8-sig")
        if control <= len(head) * 0.3:
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    if control > len(head) // 20 + 8:
        raise NotText("binary file (NUL and control bytes), not text")
    matches = list(from_bytes(data))
    if not matches:
        raise NotText(
            "not UTF-8 and no text encoding fits; convert it to UTF-8 (e.g. iconv -t UTF-8)"
        )
    # When the detector scores several encodings alike, take the most widespread one.
    top = matches[0]
    tied = [m for m in matches if m.chaos <= top.chaos and m.coherence >= top.coherence - 0.01]
    best = min(tied, key=lambda m: _PREVALENCE.get(m.encoding, len(_PREVALENCE)))
    return str(best), best.encoding


def _control_bytes(head: bytes) -> int:
    return len(head) - len(head.translate(_DELETE_CONTROL, _CONTROL))


def _looks_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))
