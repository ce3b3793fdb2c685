"""What an import would change, entry by entry and section by section."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from hotline.config.difference import configuration_difference
from hotline.config.importer import import_configuration, known_configuration
from hotline.config.schema import parse_configuration
from tests.hotline.config.files import SMALL

T0 = datetime(2026, 11, 1, tzinfo=UTC)
THREE_OVERRIDES = """overrides:
  - {hotline: city, tier: 1, start: "2026-12-24T08:00", end: "2026-12-25T08:00",
     counselors: [zhang-wei]}
  - {hotline: city, tier: 1, start: "2026-12-31T08:00", end: "2027-01-01T08:00",
     counselors: [li-na]}
  - {key: spring, hotline: city, tier: 1, start: "2027-02-16T08:00", end: "2027-02-17T08:00",
     counselors: [li-na]}
"""


def difference_of(session: Session, text: str) -> dict[str, object]:
    checked = parse_configuration(text, known_configuration(session))
    return configuration_difference(session, checked).as_json()


def test_an_unchanged_file_has_no_difference(session: Session) -> None:
    import_configuration(session, SMALL, T0)
    assert difference_of(session, SMALL) == {}


def test_one_override_in_a_file_shows_the_others_removed(session: Session) -> None:
    import_configuration(session, SMALL.replace("overrides: []\n", THREE_OVERRIDES), T0)
    one = SMALL.replace(
        "overrides: []",
        'overrides:\n  - {key: spring, hotline: city, tier: 1, start: "2027-02-16T08:00",'
        ' end: "2027-02-17T09:00", counselors: [li-na]}',
    )
    assert difference_of(session, one) == {
        "overrides": {
            "added": [],
            "changed": [
                "spring (city tier 1 2027-02-16T08:00 to 2027-02-17T08:00: li-na)"
                " → spring (city tier 1 2027-02-16T08:00 to 2027-02-17T09:00: li-na)"
            ],
            "removed": [
                "city tier 1 2026-12-24T08:00 to 2026-12-25T08:00: zhang-wei",
                "city tier 1 2026-12-31T08:00 to 2027-01-01T08:00: li-na",
            ],
            "kept": [],
        }
    }


def test_lines_counselors_and_patterns_say_what_changed_and_what_is_kept(
    session: Session,
) -> None:
    import_configuration(session, SMALL, T0)
    edited = (
        SMALL.replace("ring_seconds: 20", "ring_seconds: 25")
        .replace('  - {key: li-na, name: 李娜, phone: "+8613900000003"}\n', "")
        .replace("counselors: [li-na]", "counselors: [zhang-wei]")
        .replace(
            "counselors:\n",
            'counselors:\n  - {key: zhao-min, name: 赵敏, phone: "+8613900000004"}\n',
            1,
        )
    )
    found = difference_of(session, edited)
    assert found["lines"] == {
        "added": [],
        "changed": ["city: ring_seconds 20 → 25"],
        "removed": [],
        "kept": [],
    }
    assert found["counselors"] == {
        "added": ["zhao-min"],
        "changed": [
            "wang-li: moved from place 1 to 2",
            "zhang-wei: moved from place 2 to 3",
        ],
        "removed": [],
        "kept": ["li-na"],
    }
    patterns = found["patterns"]
    assert isinstance(patterns, dict)
    assert patterns["changed"] == [
        "nights (city tier 1 weekly days=mon,tue,wed,thu,fri,sat,sun end=08:00 start=20:00: li-na)"
        " → nights (city tier 1 weekly days=mon,tue,wed,thu,fri,sat,sun end=08:00 start=20:00:"
        " zhang-wei)"
    ]
