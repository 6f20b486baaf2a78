"""Readers, one per input format: each turns one file into Document drafts or skips."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from provcheck import safe
from provcheck.ingest.decode import NotText, decode
from provcheck.metadata import parse_date, read_metadata
from provcheck.records import DocFormat, Document, Skipped
from provcheck.settings import MB

TEXT_SUFFIXES = (".txt", ".md", ".text", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
STREAMED_SUFFIXES = (".jsonl", ".ndjson")  # read record by record, whatever their size
SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES
# A JSON string may escape half of a surrogate pair ("\ud800"): a code point no UTF-8
# output can hold. Each becomes U+FFFD, one character for one, so offsets stand.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(slots=True, kw_only=True)
class Draft:
    """A document before ids are made unique and the manifest is applied."""

    id: str
    path: str
    text: str
    format: DocFormat
    encoding: str
    keys: tuple[str, ...]  # what a manifest row may be keyed by
    meta: dict[str, str] = field(default_factory=dict)
    meta_source: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def set(self, name: str, value: str | None, source: str, evidence: str | None = None) -> None:
        """Set a metadata field, as one printable line (it ends up in table cells)."""
        value = safe.field(value) if value else value
        if value:
            self.meta[name] = value
            self.meta_source[name] = source
            if evidence:
                self.evidence[name] = evidence
            else:
                self.evidence.pop(name, None)

    def build(self) -> Document:
        return Document(
            id=self.id,
            path=self.path,
            text=self.text,
            sha256=hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest(),
            format=self.format,
            encoding=self.encoding,
            title=self.meta.get("title"),
            outlet=self.meta.get("outlet"),
            published=self.meta.get("published"),
            url=self.meta.get("url"),
            metadata_source=dict(self.meta_source),
            metadata_evidence=dict(self.evidence),
            notes=tuple(self.notes),
        )


Result = Iterator["Draft | Skipped"]


def read_file(path: Path, shown: str, doc_id: str, max_bytes: int) -> Result:
    """Drafts (or skips) for one file; ``shown`` is the path as reports print it."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        yield Skipped(path=shown, reason=f"unsupported file type {suffix or '(none)'}; "
                      f"provcheck reads {' '.join(SUPPORTED)}")
        return
    try:
        size = path.stat().st_size
        if size > max_bytes and suffix not in STREAMED_SUFFIXES:
            yield Skipped(path=shown, reason=_too_large(size, max_bytes))
            return
        if suffix in STREAMED_SUFFIXES:
            yield from _read_jsonl(path, shown, doc_id, max_bytes)
            return
        data = path.read_bytes()
    except OSError as err:
        yield Skipped(path=shown, reason=f"cannot be read: {err.strerror or err}")
        return
    keys = (shown, safe.name(str(path)), safe.name(path.name), doc_id)
    if suffix in HTML_SUFFIXES:
        yield _read_html(data, shown, doc_id, keys)
    elif suffix == ".json":
        yield from _read_json(data, shown, doc_id, max_bytes)
    else:
        yield _read_text(data, shown, doc_id, keys)


def _too_large(size: int, limit: int) -> str:
    return (f"file is {size / MB:.1f} MB, over the {limit / MB:g} MB limit; "
            "raise --max-file-size or split the file")


def _read_text(data: bytes, shown: str, doc_id: str, keys: tuple[str, ...]) -> Draft | Skipped:
    try:
        decoded = decode(data)
    except NotText as why:
        return Skipped(path=shown, reason=str(why))
    draft = Draft(id=doc_id, path=shown, text=decoded.text, format=DocFormat.TEXT,
                  encoding=decoded.encoding, keys=keys)
    if decoded.encoding != "utf-8":
        draft.notes.append(f"decoded as {decoded.encoding} (not UTF-8)")
    if decoded.note:
        draft.notes.append(decoded.note)
    _metadata_from_text(draft)
    return draft


def _metadata_from_text(draft: Draft) -> None:
    if all(name in draft.meta for name in ("title", "published", "outlet")):
        return  # nothing left to find in the text (a record with all its metadata)
    found = read_metadata(draft.text)
    for name in ("title", "published", "outlet"):
        if name not in draft.meta:
            draft.set(name, getattr(found, name), "text", found.evidence.get(name))


# htmldate's search for the original publication date, kept to the minute with its zone
# (the order of two copies published the same day is in their times).
_HTML_DATES = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True,
               "extensive_search": True}


def _html_date(value: str | None) -> str:
    """The page's date: a bare midnight is how htmldate fills a page's date-only value,
    so it is kept as the date alone."""
    if not value:
        return ""
    return value[:10] if value.endswith("T00:00:00") else value


def _read_html(data: bytes, shown: str, doc_id: str, keys: tuple[str, ...]) -> Draft | Skipped:
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    if not data.strip():
        return Skipped(path=shown, reason="empty file (nothing but white space)")
    if b"\x00" in data[:8192]:
        return Skipped(path=shown, reason="binary file (contains NUL bytes), not HTML")
    try:
        extracted = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, include_tables=True,
            date_extraction_params=_HTML_DATES,
        )
    except Exception as err:  # trafilatura raises many types on malformed markup
        return Skipped(path=shown, reason=f"HTML could not be parsed: {err}")
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or not text.strip():
        return Skipped(path=shown, reason="no main text found in the HTML page")
    draft = Draft(id=doc_id, path=shown, text=text, format=DocFormat.HTML, encoding="html",
                  keys=keys)
    draft.notes.append("offsets index the main text extracted from the HTML page")
    draft.set("title", getattr(extracted, "title", None), "html")
    draft.set("outlet", getattr(extracted, "sitename", None), "html")
    draft.set("published", parse_date(_html_date(getattr(extracted, "date", None))), "html")
    draft.set("url", getattr(extracted, "url", None), "html")
    _metadata_from_text(draft)
    return draft


def _read_json(data: bytes, shown: str, stem: str, max_bytes: int) -> Result:
    try:
        decoded = decode(data)
        parsed = json.loads(decoded.text)
    except NotText as why:
        yield Skipped(path=shown, reason=str(why))
        return
    except json.JSONDecodeError as err:
        yield Skipped(path=shown, reason=f"invalid JSON at line {err.lineno}: {err.msg}")
        return
    if isinstance(parsed, dict) and isinstance(parsed.get("documents"), list):
        parsed = parsed["documents"]
    records = parsed if isinstance(parsed, list) else [parsed]
    for number, record in enumerate(records, start=1):
        draft = _record(record, f"{shown}#{number}", f"{stem}:{number}", max_bytes)
        if decoded.note and isinstance(draft, Draft):
            draft.notes.append(f"the file's {decoded.note}")
        yield draft


def _read_jsonl(path: Path, shown: str, stem: str, max_bytes: int) -> Result:
    # Streamed line by line, so a large JSON Lines file is read in bounded memory.
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            where = f"{shown}:{number}"
            if not line.strip():
                continue
            if len(line) > max_bytes:
                yield Skipped(path=where, reason=_too_large(len(line), max_bytes))
                continue
            try:
                record = json.loads(line.decode("utf-8-sig"))
            except UnicodeDecodeError:
                yield Skipped(path=where, reason="line is not UTF-8; the rest of the file was read")
                continue
            except json.JSONDecodeError as err:
                yield Skipped(path=where, reason=f"malformed JSON ({err.msg}); "
                              "the rest of the file was read")
                continue
            yield _record(record, where, f"{stem}:{number}", max_bytes)


_JSON_TYPES = {bool: "true or false", int: "a number", float: "a number", list: "a list",
               dict: "an object", type(None): "null"}


def _no_text(record: dict[str, object]) -> str:
    """Why a record's ``text`` cannot be read, in JSON's terms."""
    if "text" not in record:
        keys = ", ".join(repr(k) for k in list(record)[:8]) or "none"
        return f"record has no 'text' (its keys: {keys}); give the article's text as 'text'"
    text = record["text"]
    if isinstance(text, str):
        return "record's 'text' is empty (or white space only)"
    return (f"record's 'text' is {_JSON_TYPES.get(type(text), type(text).__name__)}, not a "
            "string; give the article's text as a JSON string")


def _record(record: object, where: str, fallback_id: str, max_bytes: int) -> Draft | Skipped:
    if not isinstance(record, dict):
        return Skipped(path=where, reason="expected a JSON object with 'id' and 'text'")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Skipped(path=where, reason=_no_text(record))
    if len(text) > max_bytes:
        return Skipped(path=where, reason=_too_large(len(text), max_bytes))
    text, lone = _LONE_SURROGATE.subn("\ufffd", text)
    doc_id = safe.one_line(_LONE_SURROGATE.sub("\ufffd", str(record.get("id") or fallback_id)))
    draft = Draft(id=doc_id, path=where, text=text, format=DocFormat.JSON, encoding="utf-8",
                  keys=(doc_id, where))
    if lone:
        draft.notes.append(f"{lone} unpaired surrogate escape(s) in the text replaced by "
                           "U+FFFD (offsets unchanged)")
    for name in ("title", "outlet", "url"):
        value = record.get(name)
        draft.set(name, _LONE_SURROGATE.sub("\ufffd", str(value)) if value else None, "json")
    published = record.get("published")
    if published:
        iso = parse_date(str(published))
        if iso:
            draft.set("published", iso, "json")
        else:
            draft.notes.append(f"'published' value {published!r} is not a date; ignored")
    _metadata_from_text(draft)
    return draft
