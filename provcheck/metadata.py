"""Title, publication date and outlet read from a plain text, with the line each came from.

Only what the text presents as such counts: a date is a publication date when a cue
introduces it ("Published", "Last Updated On", "publish:", "aired on", a dateline), in
a short line of its own, never a year inside a sentence; an outlet is named by a byline,
a wire dateline "(Reuters)", a footer "More from ...", a staff line "Host, ..." or a
copyright line. Anything not found stays None.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from dateutil import parser as dateparser

from provcheck.text.segment import blocks_of

TITLE_SCAN_BLOCKS = 12
CUE_LINE_MAX_WORDS = 20

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)?"
_DATE = (
    rf"{_WEEKDAY}(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?"
    r"|\d{4}/\d{2}/\d{2})"
)
_TIME = r"\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*(?:[A-Z]{2,4}|GMT[+-]\d+))?"
_DATE_TIME = rf"(?P<date>{_DATE})(?:\s*(?:,|at|-|\|)?\s*(?P<time>{_TIME}))?"

# (rule name, priority, pattern); a lower priority number wins.
_DATE_CUES: list[tuple[str, int, re.Pattern[str]]] = [
    (name, rank, re.compile(pattern, re.IGNORECASE))
    for name, rank, pattern in [
        ("published", 0,
         r"\b(?:first\s+)?(?:published|publish|posted|released|date)\b(?:\s+on)?\s*[:\-]?\s*"
         + _DATE_TIME),
        ("aired", 0,
         rf"\b(?:aired|broadcast|ran|airs)\s+(?:on\s+)?{_DATE_TIME}"),
        ("updated", 2,
         rf"\b(?:last\s+)?updated(?:\s+on)?\s*[:\-]?\s*{_DATE_TIME}"),
    ]
]
_DATELINE = re.compile(rf"^[A-Z][A-Za-z .'\-]{{1,40}},\s+{_DATE_TIME}\s*[\-(]")
_TIME_CUE = re.compile(rf"^\W*time\s*:\s*(?P<time>{_TIME})\s*$", re.IGNORECASE)
_META_LINE = re.compile(r"^\W*[\w ]{1,20}:\s*\S")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")

_ORG_WORDS = (
    r"News|Press|Agency|Times|Post|Herald|Journal|Tribune|Radio|TV|Television|Media"
    r"|Network|Broadcasting|Channel|Daily|Gazette|Observer|Telegraph|Wire|Report"
)
_NAME = r"[A-Z][\w&.'\-]*(?:\s+(?:&|of|the|[A-Z][\w&.'\-]*))*"
_STAFF_WORDS = ("Host", "Anchor", "Reporter", "Correspondent", "Editor", "Producer", "Columnist")
_STAFF = rf"(?:Co-)?(?:{'|'.join(_STAFF_WORDS)})"
# The letters a staff line's title can start with: as a lookahead, the regex engine skips
# to those positions instead of trying every one (1.8x faster, the same matches).
_STAFF_FIRST = "".join(sorted({"C", *(w[0] for w in _STAFF_WORDS)}))
# (rule name, pattern, words one of which a line must hold for the pattern to match
# it: a cheaper test first, where the pattern can match anywhere in a long line).
_OUTLET_RULES: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = [
    (name, re.compile(pattern), needs) for name, pattern, needs in [
        ("wire dateline",
         r"^[A-Z][\w .,'\-]{0,40}?\s*\((?P<name>[A-Z][\w&.\- ]{1,30})\)\s*[:\-\u2013\u2014]", ()),
        ("byline", rf"^By\s+(?P<name>[A-Z][\w&.\-]*|{_NAME}\s+(?:{_ORG_WORDS}))\s*$", ()),
        ("footer", rf"^More\s+from\s+(?P<name>{_NAME})\s*$", ()),
        ("staff line", rf"(?=[{_STAFF_FIRST}])\b{_STAFF},\s+(?P<name>{_NAME})\s*$",
         _STAFF_WORDS),
        ("copyright", rf"^(?:\u00a9|Copyright|COPYRIGHT|\(c\))\s*(?:\d{{4}}\s+)?(?P<name>{_NAME})",
         ()),
        ("source line", rf"^Source\s*:\s*(?P<name>{_NAME})\s*$", ()),
    ]
]
# A US or Canadian broadcast call sign ("WBUR", "KQED"), named with a program it airs.
_CALL_SIGN = re.compile(r"\b[KWC][A-Z]{2,3}\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)


def read_metadata(raw: str) -> Metadata:
    """Title, publication date and outlet as the text itself states them."""
    lines = [" ".join(raw[s:e].split()) for s, e in blocks_of(raw)]
    evidence: dict[str, str] = {}
    title = _title(lines, evidence)
    published = _published(lines, evidence)
    outlet = _outlet(lines, evidence)
    return Metadata(title=title, published=published, outlet=outlet, evidence=evidence)


def parse_date(value: str) -> str | None:
    """An ISO date or datetime for a date string, or None when it is not one."""
    value = value.strip()
    if not value:
        return None
    try:
        with warnings.catch_warnings():
            # An unknown zone name ("ET") only drops the zone; it is not worth a warning.
            warnings.simplefilter("ignore")
            parsed = dateparser.parse(re.sub(r"\bSept\b", "Sep", value))
    except (ValueError, OverflowError):
        return None
    has_time = bool(re.search(r"\d[:.]\d{2}", value))
    return parsed.isoformat(timespec="minutes") if has_time else parsed.date().isoformat()


def _title(lines: list[str], evidence: dict[str, str]) -> str | None:
    for line in lines[:TITLE_SCAN_BLOCKS]:
        words = _words(line)
        if words > 30 or (words >= 12 and _SENTENCE_END.search(line)):
            return None  # reached the body without seeing a heading
        if words < 3 or (_META_LINE.match(line) and words <= 5) or _is_date_line(line):
            continue
        if line.lower().startswith("by ") or (_SENTENCE_END.search(line) and words < 12):
            continue
        evidence["title"] = line
        return line
    return None


def _is_date_line(line: str) -> bool:
    return bool(re.search(_DATE, line)) and _words(line) <= 8


def _words(line: str) -> int:
    """Words in a line of ``read_metadata``'s (spaced by single spaces, not split)."""
    return line.count(" ") + 1 if line else 0


def _published(lines: list[str], evidence: dict[str, str]) -> str | None:
    found: list[tuple[int, int, str, str]] = []
    for index, line in enumerate(lines):
        if _words(line) > CUE_LINE_MAX_WORDS:
            continue
        for _name, rank, pattern in _DATE_CUES:
            match = pattern.search(line)
            if match:
                found.append((rank, index, _with_time(match, lines, index), line))
                break
        else:
            match = _DATELINE.match(line) if index < TITLE_SCAN_BLOCKS else None
            if match:
                found.append((1, index, _with_time(match, lines, index), line))
    for _rank, _index, value, line in sorted(found, key=lambda f: (f[0], f[1])):
        iso = parse_date(value)
        if iso:
            evidence["published"] = line
            return iso
    return None


def _with_time(match: re.Match[str], lines: list[str], index: int) -> str:
    """The matched date, with a time of day from the same line or a "time:" line after it."""
    date, time = match.group("date"), match.group("time")
    if not time:
        for line in lines[index + 1 : index + 4]:
            cue = _TIME_CUE.match(line)
            if cue:
                time = cue.group("time")
                break
    return f"{date} {time}" if time else date


def _outlet(lines: list[str], evidence: dict[str, str]) -> str | None:
    for rule, pattern, needs in _OUTLET_RULES:
        for line in lines:
            if needs and not any(word in line for word in needs):
                continue
            match = pattern.search(line)
            if not match:
                continue
            name = match.group("name").strip(" .,:-")
            if rule in ("footer", "staff line"):
                name = _with_call_sign(name, lines)
            evidence["outlet"] = f"{rule}: {line}"
            return name
    return None


def _with_call_sign(program: str, lines: list[str]) -> str:
    """"Here & Now" aired by WBUR is "Here & Now / WBUR" when the text names both."""
    for line in lines:
        if program in line:
            for sign in _CALL_SIGN.findall(line.replace(program, " ")):
                return f"{program} / {sign}"
    return program
