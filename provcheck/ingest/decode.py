"""Bytes to text: UTF-8 first, other encodings detected, binary files refused."""

from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes

# NUL and the control characters other than tab, newline, form feed and carriage
# return: a text file has next to none (a stray NUL happens), a binary file many.
_CONTROL = bytes(range(0, 9)) + bytes([11]) + bytes(range(14, 32))
_SNIFF = 8192
# Valid multi-byte characters per bad byte sequence for a text to count as UTF-8 with a
# few bad bytes rather than as another encoding.
UTF8_MAJORITY = 10
_DELETE_CONTROL = bytes.maketrans(b"", b"")
# Legacy encodings by how common they are in web and news text.
_PREVALENCE = {name: rank for rank, name in enumerate(
    ["cp1252", "latin_1", "iso8859_15", "cp1251", "shift_jis", "gb2312", "gb18030", "euc_kr",
     "big5", "cp1250", "iso8859_2", "koi8_r", "cp1256", "cp1253", "cp1254", "cp1255"])}


class NotText(Exception):
    """The bytes are not a text the tool can read; the message says why."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    note: str | None = None  # what a reader of the report should know (bytes replaced)


def decode(data: bytes) -> Decoded:
    """The text of ``data`` and its encoding. Raise NotText for binary or undecodable
    data.

    UTF-8 comes first. A text that is UTF-8 but for a few bad bytes (a truncated copy, a
    stray byte from a paste) stays UTF-8 with those bytes replaced by U+FFFD and a note:
    read as a legacy encoding, every other non-ASCII character would be garbled instead
    (``’`` as ``‚Äô``). UTF-16 is recognised by its byte-order mark or, without one, by
    the NUL bytes of its ASCII characters, before binary files are refused for theirs.
    """
    if not data.strip():
        raise NotText("empty file (nothing but white space)")
    head = data[:_SNIFF]
    utf16 = _utf16(head)
    if utf16:
        try:
            text = data.decode(utf16).removeprefix("\ufeff")
        except UnicodeDecodeError:
            pass
        else:
            if _control_chars(text[:_SNIFF]) <= _SNIFF // 100:
                return Decoded(text, utf16)
    control = _control_bytes(head)
    # Binary formats are practically never valid UTF-8; valid UTF-8 is text unless
    # control bytes dominate. Other bytes must look like text before detection.
    if control <= len(head) * 0.3:
        try:
            return Decoded(data.decode("utf-8-sig"), "utf-8")
        except UnicodeDecodeError:
            mostly = _mostly_utf8(data)
            if mostly is not None:
                return mostly
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
    return Decoded(str(best), best.encoding)


def _mostly_utf8(data: bytes) -> Decoded | None:
    """``data`` as UTF-8 with its bad bytes replaced, if its valid multi-byte characters
    outnumber its bad sequences ``UTF8_MAJORITY`` to one; else None (a legacy encoding
    fits better: one ``é`` in cp1252 is one bad byte and no valid multi-byte character)."""
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    valid = sum(1 for char in text if char > "\x7f") - bad
    if bad == 0 or valid < UTF8_MAJORITY * bad:
        return None
    return Decoded(text, "utf-8", f"{bad} byte sequence(s) that are not UTF-8 replaced by "
                   "U+FFFD; the rest of the text is UTF-8")


def _utf16(head: bytes) -> str | None:
    """The UTF-16 codec ``head`` looks like: by its byte-order mark, or by ASCII text's
    NUL in every other byte (most bytes at one parity NUL, next to none at the other)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even, odd = head[0:pairs * 2:2].count(0), head[1:pairs * 2:2].count(0)
    if odd >= 0.6 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.6 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _control_bytes(head: bytes) -> int:
    return len(head) - len(head.translate(_DELETE_CONTROL, _CONTROL))


def _control_chars(text: str) -> int:
    return sum(1 for char in text if char < " " and char not in "\t\n\f\r")
