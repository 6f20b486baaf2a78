"""Text that cannot break what it is written into: names, terminal lines, XML, CSV
cells, GitHub workflow commands and job summaries.

File names come from strangers (a pull request's files): they may hold any byte a
Linux file name allows, including bytes that are not UTF-8, newlines and control
characters. Python reads such a name with ``surrogateescape``; ``name`` turns it into a
printable string once, at ingest, so every report shows the same escaped form and the
bytes stay recoverable (``original_bytes``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# Control characters (C0, DEL, C1), lone surrogates (a file name's undecodable bytes)
# and the backslash (so an escape can be told from a name that holds one).
_UNPRINTABLE = re.compile(r"[\\\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# What XML 1.0 cannot hold at all, escaped or not.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Cells a spreadsheet reads as a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    # A control character below 0x80 is its own byte; the others are written as code
    # points, so that no escape reads as a byte that was not UTF-8.
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def name(raw: str) -> str:
    """A file name or id as every report shows it: printable, one line, each byte that
    was not UTF-8 as ``\\xNN``, each control character as ``\\xNN`` and a backslash as
    ``\\\\`` (so ``original_bytes`` gets the name's bytes back)."""
    return _UNPRINTABLE.sub(_escape, raw)


_ESCAPE = re.compile(r"\\(?:(\\)|x([0-9a-f]{2})|u([0-9a-f]{4}))")


def original_bytes(shown: str) -> bytes:
    """The bytes of a name ``name`` escaped (a backslash that starts no escape is kept,
    as in a name stored before names were escaped)."""
    out = bytearray()
    end = 0
    for match in _ESCAPE.finditer(shown):
        out += shown[end:match.start()].encode("utf-8", "surrogateescape")
        backslash, byte, point = match.groups()
        if backslash:
            out += b"\\"
        elif byte:
            out.append(int(byte, 16))
        else:  # a C1 control or lone surrogate code point of the name itself
            out += chr(int(point, 16)).encode("utf-8", "surrogatepass")
        end = match.end()
    out += shown[end:].encode("utf-8", "surrogateescape")
    return bytes(out)


def file_path(shown: str) -> Path:
    """The file a ``name``-escaped path names."""
    return Path(os.fsdecode(original_bytes(shown)))


def one_line(text: str) -> str:
    """``text`` as one printable line (a table cell, a TSV field): every control
    character, newlines and tabs included, shown as an escape; backslashes kept."""
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group() == "\\" else _escape(m), text)


def field(text: str) -> str:
    """A metadata value (a title, an outlet) as one line: white space of any kind, line
    breaks included, as single spaces, and any other control character escaped."""
    return one_line(" ".join(text.split()))


def printable(text: str) -> str:
    """``text`` for a terminal: control characters (an escape sequence, a carriage
    return) shown as escapes instead of acting on the terminal; newlines and tabs kept."""
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group() in "\n\t\\" else _escape(m),
                            text)


def xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (each becomes U+FFFD); the
    caller still escapes markup."""
    return _NOT_XML.sub("\ufffd", text)


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula: text starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe (OWASP's
    advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def github_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``), escaped as GitHub's
    toolkit does: its message escapes, and ``:`` and ``,``, which end a property."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


_MARKDOWN = re.compile(r"[\\`*_{}\[\]()#+\-.!|~<>&]")
_MARKDOWN_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "|": "&#124;"}


def markdown(text: str) -> str:
    """``text`` as literal text in a Markdown table cell (GitHub's job summary): one line,
    HTML's ``< > &`` and the cell's ``|`` as entities, Markdown's punctuation
    backslash-escaped, so no name can add a link, an image, a tag or a column."""
    flat = " ".join(printable(text).split())
    return _MARKDOWN.sub(lambda m: _MARKDOWN_ENTITY.get(m.group(), "\\" + m.group()), flat)
