"""The database's rules for instants, and the per-process duty index following new versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from hotline.config.importer import import_configuration
from hotline.duty import DutyIndex, find_hotline
from hotline.models import RotaVersion
from tests.hotline.config.files import SMALL

T0 = datetime(2026, 11, 1, tzinfo=UTC)
NIGHT = datetime(2026, 11, 10, 19, 10, tzinfo=UTC)  # 03:10 in Shanghai


def test_a_naive_datetime_is_refused_where_an_instant_is_stored(session: Session) -> None:
    import_configuration(session, SMALL, T0)
    version = session.query(RotaVersion).one()
    version.saved_at = datetime(2026, 11, 1, 8, 0)  # noqa: DTZ001 - the mistake under test
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_instants_read_back_aware_in_utc(session: Session) -> None:
    import_configuration(session, SMALL, datetime(2026, 11, 1, 8, tzinfo=UTC) + timedelta(hours=0))
    session.expire_all()
    saved = session.query(RotaVersion).one().saved_at
    assert saved == datetime(2026, 11, 1, 8, tzinfo=UTC)
    assert saved.utcoffset() == timedelta(0)


def test_the_duty_index_answers_from_a_new_version_once_it_rechecks(session: Session) -> None:
    ticks = [0.0]
    index = DutyIndex(recheck_seconds=0.5, monotonic=lambda: ticks[0])
    import_configuration(session, SMALL, T0)
    line = find_hotline(session, "city")
    assert index.tiers_at(session, line.id, line.key, NIGHT + timedelta(days=30)) == (
        1,
        (("li-na",),),
    )
    edited = SMALL.replace("counselors: [li-na]", "counselors: [zhang-wei]")
    import_configuration(session, edited, NIGHT)
    ticks[0] = 0.4  # within the recheck interval the process keeps its prepared index
    assert index.tiers_at(session, line.id, line.key, NIGHT + timedelta(days=30)) == (
        1,
        (("li-na",),),
    )
    ticks[0] = 0.9  # a second later at the latest, the new version answers
    assert index.tiers_at(session, line.id, line.key, NIGHT + timedelta(days=30)) == (
        2,
        (("zhang-wei",),),
    )
    assert index.tiers_at(session, line.id, line.key, NIGHT - timedelta(days=1)) == (
        1,
        (("li-na",),),
    )
