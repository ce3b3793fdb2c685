"""The rule that ends "a file with one override silently replaced all the others": a file
states in full only the rota of the lines (counselors) it declares; of the others it adds or
changes entries, by key, and removes none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.config.exporter import export_configuration
from hotline.config.importer import import_configuration
from hotline.models import Leave, RotaOverride
from tests.hotline.config.files import SMALL

T0 = datetime(2026, 11, 1, tzinfo=UTC)
TWO = """overrides:
  - {key: xmas, hotline: city, tier: 1, start: "2026-12-24T08:00", end: "2026-12-25T08:00",
     counselors: [zhang-wei]}
  - {hotline: city, tier: 1, start: "2026-12-31T08:00", end: "2027-01-01T08:00",
     counselors: [li-na]}
"""


def _overrides(session: Session) -> list[tuple[str | None, str, list[str]]]:
    rows = session.scalars(select(RotaOverride).order_by(RotaOverride.position))
    return [(row.key, row.start, list(row.counselors)) for row in rows]


def test_a_file_with_one_override_adds_it_and_keeps_the_others(session: Session) -> None:
    import_configuration(session, SMALL.replace("overrides: []\n", TWO), T0)
    one = (
        'overrides:\n  - {key: spring, hotline: city, tier: 1, start: "2027-02-16T08:00",'
        ' end: "2027-02-17T08:00", counselors: [li-na]}\n'
    )
    summary = import_configuration(session, one, T0 + timedelta(days=1))
    assert [key for key, _, _ in _overrides(session)] == ["xmas", None, "spring"]
    assert [v.hotline for v in summary.versions] == ["city"]
    assert summary.difference.sections["overrides"].removed == []
    assert len(summary.difference.sections["overrides"].kept) == 2


def test_a_keyed_override_in_a_partial_file_changes_that_one_and_goes_last(
    session: Session,
) -> None:
    import_configuration(session, SMALL.replace("overrides: []\n", TWO), T0)
    changed = (
        'overrides:\n  - {key: xmas, hotline: city, tier: 1, start: "2026-12-24T08:00",'
        ' end: "2026-12-25T08:00", counselors: [wang-li]}\n'
    )
    import_configuration(session, changed, T0 + timedelta(days=1))
    assert _overrides(session)[-1] == ("xmas", "2026-12-24T08:00", ["wang-li"])
    assert len(_overrides(session)) == 2
    again = import_configuration(session, changed, T0 + timedelta(days=2))
    assert again.versions == []
    assert again.changed == []


def test_a_file_that_declares_the_line_still_states_its_overrides_in_full(
    session: Session,
) -> None:
    import_configuration(session, SMALL.replace("overrides: []\n", TWO), T0)
    import_configuration(session, SMALL, T0 + timedelta(days=1))  # lists city, no overrides
    assert _overrides(session) == []


def test_export_then_import_round_trips_what_a_partial_file_added(session: Session) -> None:
    import_configuration(session, SMALL, T0)
    import_configuration(session, TWO, T0 + timedelta(days=1))
    leave = (
        'leave:\n  - {key: away, counselor: li-na, start: "2026-12-01T00:00",'
        ' end: "2026-12-02T00:00"}\n'
    )
    import_configuration(session, leave, T0 + timedelta(days=1))
    exported = export_configuration(session)
    summary = import_configuration(session, exported, T0 + timedelta(days=2))
    assert summary.changed == []
    assert summary.versions == []
    assert len(_overrides(session)) == 2
    assert session.scalar(select(Leave.key)) == "away"
