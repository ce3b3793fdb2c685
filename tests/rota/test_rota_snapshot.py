"""The stored form of a rota version: canonical, JSON-able, and read back exactly."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rota.model import Leave, LineRota, Override, Pattern, Period, Rotation, Weekly
from rota.snapshot import from_document, to_document

ROTA = LineRota(
    ZoneInfo("Asia/Shanghai"),
    patterns=(
        Pattern(
            1,
            Weekly(frozenset({5, 1, 3}), time(8), time(17)),
            ("wang-li", "zhang-wei"),
            valid_from=date(2026, 12, 1),
            valid_until=date(2027, 6, 30),
            key="weekdays",
        ),
        Pattern(
            2,
            Rotation(datetime.fromisoformat("2026-12-01T08:00"), Period(1, "d")),
            ("li-na", "zhao-min", "wang-li"),
        ),
    ),
    overrides=(
        Override(
            1,
            datetime.fromisoformat("2026-12-24T08:00"),
            datetime(2026, 12, 25, 8, tzinfo=timezone(timedelta(hours=8))),
            ("zhang-wei",),
            key="christmas",
        ),
    ),
    leave=(
        Leave(
            "wang-li",
            datetime.fromisoformat("2026-12-20T00:00:30"),
            datetime.fromisoformat("2026-12-27T00:00Z"),
        ),
    ),
    inactive=frozenset({"zhao-min", "an-old-hand"}),
)

DOCUMENT: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "patterns": [
        {
            "tier": 1,
            "weekly": {"days": ["tue", "thu", "sat"], "start": "08:00", "end": "17:00"},
            "counselors": ["wang-li", "zhang-wei"],
            "from": "2026-12-01",
            "until": "2027-06-30",
            "key": "weekdays",
        },
        {
            "tier": 2,
            "rotation": {"start": "2026-12-01T08:00", "every": "1d"},
            "counselors": ["li-na", "zhao-min", "wang-li"],
            "from": None,
            "until": None,
            "key": None,
        },
    ],
    "overrides": [
        {
            "tier": 1,
            "start": "2026-12-24T08:00",
            "end": "2026-12-25T08:00+08:00",
            "counselors": ["zhang-wei"],
            "key": "christmas",
        }
    ],
    "leave": [
        {
            "counselor": "wang-li",
            "start": "2026-12-20T00:00:30",
            "end": "2026-12-27T00:00+00:00",
            "key": None,
        }
    ],
    "inactive": ["an-old-hand", "zhao-min"],
}


def test_a_rota_becomes_its_canonical_document() -> None:
    assert to_document(ROTA) == DOCUMENT


def test_the_document_reads_back_as_the_same_rota() -> None:
    rota = from_document(json.loads(json.dumps(to_document(ROTA), sort_keys=True)))

    assert rota == ROTA
    assert rota.overrides[0].start.tzinfo is None  # naive stays naive
    assert rota.overrides[0].end.utcoffset() == timedelta(hours=8)  # aware keeps its offset


def test_equal_rotas_hash_alike_whatever_order_the_sets_were_built_in() -> None:
    shuffled = LineRota(
        ROTA.tz,
        patterns=ROTA.patterns,
        overrides=ROTA.overrides,
        leave=ROTA.leave,
        inactive=frozenset(["an-old-hand", "zhao-min"]),
    )

    assert json.dumps(to_document(shuffled), sort_keys=True) == json.dumps(DOCUMENT, sort_keys=True)


def broken(path: str, value: object) -> dict[str, Any]:
    """DOCUMENT with the field at dotted `path` set to `value` (or removed, for ...)."""
    document: dict[str, Any] = json.loads(json.dumps(DOCUMENT))
    *parents, last = path.split(".")
    place: Any = document
    for part in parents:
        place = place[int(part)] if part.isdigit() else place[part]
    key: int | str = int(last) if last.isdigit() else last
    if value is ...:
        del place[key]
    else:
        place[key] = value
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(broken("timezone", "Mars/Olympus"), "rota.timezone", id="unknown-zone"),
        pytest.param(broken("inactive", ...), "rota: missing inactive", id="missing-field"),
        pytest.param(broken("colour", "red"), "unknown field 'colour'", id="unknown-field"),
        pytest.param(broken("patterns.0.tier", "1"), r"patterns\[0\].tier", id="tier-as-text"),
        pytest.param(broken("patterns.0.tier", 0), "numbered from 1", id="tier-zero"),
        pytest.param(
            broken("patterns.0.weekly.days", ["fri", "caturday"]), "caturday", id="weekday"
        ),
        pytest.param(broken("patterns.0.weekly.start", "8am"), "weekly.start", id="bad-time"),
        pytest.param(broken("patterns.0.from", "01/12/2026"), r"patterns\[0\].from", id="bad-date"),
        pytest.param(broken("patterns.1.rotation.every", "0d"), "every", id="zero-period"),
        pytest.param(broken("patterns.1.rotation.every", "1w"), "every", id="week-period"),
        pytest.param(broken("patterns.1.weekly", {}), "exactly one", id="two-shapes"),
        pytest.param(broken("overrides.0.end", "tomorrow"), r"overrides\[0\].end", id="bad-moment"),
        pytest.param(broken("overrides.0.counselors", ["a", 1]), "list of strings", id="not-names"),
        pytest.param(
            broken("leave.0", "wang-li"), r"leave\[0\]: expected an object", id="not-object"
        ),
    ],
)
def test_a_malformed_document_is_refused_with_its_place(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        from_document(document)
