"""Where a free text holds a phone number, however it was typed: ASCII, full-width or Chinese
digits (一三八, 壹叁捌), in groups split by spaces, dashes, dots, underscores, commas or brackets.

The policy. Seven digits or more in one run are a number to hide: a landline without its area
code has seven or eight, a mobile eleven. One space, dash, dot, slash, underscore or bracket
joins any two groups ("1 3 8 0 0 1 3 8 0 0 0"); a wider gap ("138  0013", "138 - 0013") or a
comma joins only groups of three digits or more, so lists of small numbers ("12, 15, 18 岁",
"3  5  7 次") stay. What is plainly not a phone stays too: dates (2026-12-01, 01/12/2026),
year ranges (2019-2026), amounts (1,000,000; 100, 200, 300; 12345.50).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

_CHINESE = dict(
    zip(
        "〇零一二三四五六七八九幺两壹贰貳叁參肆伍陆陸柒捌玖",
        "0012345678912122334566789",
        strict=True,
    )
)
_DIGIT = r"\d" + "".join(_CHINESE)  # \d: every Unicode decimal digit, full-width too
_SPACES = " \t\u00a0\u202f\u205f\u2060\u3000\ufeff" + "".join(map(chr, range(0x2000, 0x200E)))
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_TIGHT = _SPACES + _DASHES + "./_()[]\u00b7\u2022\u30fb\uff0e\uff0f\uff3f\uff08\uff09"
_COMMAS = ",\uff0c\u3001"
_ONE_COMMA = frozenset(_COMMAS)
_RUN = re.compile(rf"[{_DIGIT}]+(?:[{re.escape(_TIGHT + _COMMAS)}]{{1,3}}[{_DIGIT}]+)*")
_GROUP = re.compile(rf"[{_DIGIT}]+")
_DASH = re.compile(rf"[{re.escape(_SPACES)}]*[{re.escape(_DASHES)}][{re.escape(_SPACES)}]*")
_DATE_SEPARATORS = frozenset("-/.\uff0d\uff0f\uff0e")
_PREFIX = re.compile(r"[+\uff0b(\uff08][ ]?$")
MIN_DIGITS = 7


@dataclass(frozen=True, slots=True)
class _Group:
    start: int
    end: int
    digits: str  # ASCII


def phone_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each phone number in `text`, in order, a leading + or bracket included."""
    for run in _RUN.finditer(text):
        groups = [
            _Group(m.start(), m.end(), _ascii(m.group()))
            for m in _GROUP.finditer(text, run.start(), run.end())
        ]
        seps = [text[a.end : b.start] for a, b in pairwise(groups)]
        for first, last in _stretches(groups, seps):
            prefix = _PREFIX.search(text, max(0, groups[first].start - 2), groups[first].start)
            yield (prefix.start() if prefix else groups[first].start), groups[last].end


def _ascii(digits: str) -> str:
    return "".join(_CHINESE.get(ch) or str(unicodedata.digit(ch)) for ch in digits)


def _stretches(groups: list[_Group], seps: list[str]) -> Iterator[tuple[int, int]]:
    """Index ranges of the groups that make one phone number each."""
    plain = _dates_and_years(groups, seps)
    first: int | None = None
    for i in range(len(groups)):
        if i in plain:
            first = None
            continue
        if first is None:
            first = i
        joined = i + 1 < len(groups) and i + 1 not in plain and _joins(seps[i], groups, i)
        if not joined:
            if _is_phone(groups[first : i + 1], seps[first:i]):
                yield first, i
            first = None


def _joins(sep: str, groups: list[_Group], i: int) -> bool:
    if len(sep) == 1 and sep in _TIGHT:
        return True
    return len(groups[i].digits) >= 3 and len(groups[i + 1].digits) >= 3


def _is_phone(groups: list[_Group], seps: list[str]) -> bool:
    if sum(len(g.digits) for g in groups) < MIN_DIGITS:
        return False
    by_commas = bool(seps) and all(s.strip(_SPACES) in _ONE_COMMA for s in seps)
    if by_commas and all(len(g.digits) == 3 for g in groups[1:]):
        return False  # thousands (1,000,000) or a list of amounts (100, 200, 300)
    decimal = len(groups) == 2 and seps[0] in (".", "\uff0e") and len(groups[1].digits) <= 2
    return not (decimal and len(groups[0].digits) <= 6)


def _dates_and_years(groups: list[_Group], seps: list[str]) -> set[int]:
    """Indexes of the groups that form a date (y-m-d or d/m/y) or a range of years; never a
    stretch whose separator goes on beyond it ("0574-2026-12-01" is a number)."""
    plain: set[int] = set()
    for i in range(len(groups) - 2):
        if _apart(seps, i, 2) and seps[i] in _DATE_SEPARATORS:
            if _is_date(*(g.digits for g in groups[i : i + 3])):
                plain.update((i, i + 1, i + 2))
    for i in range(len(groups) - 1):
        a, b = groups[i].digits, groups[i + 1].digits
        if _is_year(a) and _is_year(b) and a < b and _DASH.fullmatch(seps[i]):
            if _apart(seps, i, 1):
                plain.update((i, i + 1))
    return plain


def _apart(seps: list[str], i: int, count: int) -> bool:
    """The `count` separators from `i` on are one and the same, and those around them differ."""
    inside = seps[i : i + count]
    outside = seps[i - 1 : i] + seps[i + count : i + count + 1]
    return len(set(inside)) == 1 and inside[0] not in outside


def _is_date(a: str, b: str, c: str) -> bool:
    if _is_year(a) and len(b) <= 2 and len(c) <= 2:
        return 1 <= int(b) <= 12 and 1 <= int(c) <= 31
    if _is_year(c) and len(a) <= 2 and len(b) <= 2:
        day_month = sorted((int(a), int(b)))
        return day_month[0] >= 1 and day_month[0] <= 12 and day_month[1] <= 31
    return False


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and 1900 <= int(digits) <= 2099
