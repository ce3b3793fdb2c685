"""Importing configuration files: idempotent, versioned, and all-or-nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.config import located
from hotline.config.exporter import export_configuration
from hotline.config.importer import import_configuration
from hotline.config.schema import ConfigurationError
from hotline.duty import duty_at
from hotline.models import Counselor, Hotline, RotaPattern, RotaVersion
from tests.hotline.config.files import DEMO, SMALL

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _keys(session: Session, hotline: str, at: datetime) -> list[list[str]]:
    return [[c.key for c in tier] for tier in duty_at(session, hotline, at).tiers]


def _count(session: Session, model: type[RotaVersion] | type[RotaPattern]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_demo_file_makes_its_lines_counselors_and_one_version_per_line(session: Session) -> None:
    summary = import_configuration(session, DEMO.read_text(encoding="utf-8"), T0)
    assert {v.hotline for v in summary.versions} == {"city", "school-yz"}
    school = session.scalar(select(Hotline).where(Hotline.key == "school-yz"))
    assert school is not None
    assert school.overflow == ["city"]
    assert session.scalar(select(func.count()).select_from(Counselor)) == 11


def test_importing_the_same_file_twice_changes_nothing(session: Session) -> None:
    import_configuration(session, DEMO.read_text(encoding="utf-8"), T0)
    ids = session.scalars(select(RotaPattern.id).order_by(RotaPattern.id)).all()
    again = import_configuration(session, DEMO.read_text(encoding="utf-8"), T0 + timedelta(days=1))
    assert again.changed == []
    assert again.versions == []
    assert session.scalars(select(RotaPattern.id).order_by(RotaPattern.id)).all() == ids
    assert _count(session, RotaVersion) == 2


def test_export_then_import_is_a_no_op(session: Session) -> None:
    import_configuration(session, DEMO.read_text(encoding="utf-8"), T0)
    exported = export_configuration(session)
    again = import_configuration(session, exported, T0 + timedelta(hours=1))
    assert (again.changed, again.versions) == ([], [])
    assert export_configuration(session) == exported


def test_a_changed_rota_is_a_new_version_and_the_past_keeps_its_answer(session: Session) -> None:
    import_configuration(session, SMALL, T0)
    last_tuesday_0310 = datetime(2026, 11, 10, 19, 10, tzinfo=UTC)  # 03:10 in Shanghai
    assert _keys(session, "city", last_tuesday_0310) == [["li-na"]]
    edited = SMALL.replace("counselors: [li-na]", "counselors: [zhang-wei]")
    summary = import_configuration(session, edited, datetime(2026, 11, 20, tzinfo=UTC))
    assert [(v.hotline, v.number) for v in summary.versions] == [("city", 2)]
    assert _keys(session, "city", last_tuesday_0310) == [["li-na"]]
    assert _keys(session, "city", last_tuesday_0310 + timedelta(days=14)) == [["zhang-wei"]]


def test_leave_is_a_new_version_of_the_lines_the_counselor_serves(session: Session) -> None:
    import_configuration(session, SMALL, T0)
    with_leave = SMALL.replace(
        "leave: []",
        'leave:\n  - {counselor: wang-li, start: "2026-11-05T00:00", end: "2026-11-06T00:00"}',
    )
    summary = import_configuration(session, with_leave, T0 + timedelta(days=1))
    assert [v.hotline for v in summary.versions] == ["city"]
    noon_local = datetime(2026, 11, 5, 4, tzinfo=UTC)
    assert _keys(session, "city", noon_local) == [["zhang-wei"]]
    assert _keys(session, "city", noon_local + timedelta(days=1)) == [["wang-li", "zhang-wei"]]


def test_a_section_left_out_of_a_file_is_kept(session: Session) -> None:
    import_configuration(session, SMALL, T0)
    only_counselors = (
        'counselors:\n  - {key: wang-li, name: 王丽, phone: "+8613900000001", active: false}\n'
    )
    summary = import_configuration(session, only_counselors, T0 + timedelta(days=1))
    assert summary.changed == ["counselors: updated wang-li"]
    assert _count(session, RotaPattern) == 2
    # An inactive counselor is off every tier from the new version on.
    assert _keys(session, "city", datetime(2026, 11, 5, 4, tzinfo=UTC)) == [["zhang-wei"]]


BROKEN = """\
hotlines:
  - key: city
    name: 慈溪市心理援助热线
    number: "+8657463898070"
    timezone: Asia/Shangai
    overflow: [nowhere]
counselors:
  - {key: wang-li, name: 王丽, phone: "+86 139 0000 0001"}
  - {key: wang-li, name: 王丽二, phone: "12345"}
rota:
  - hotline: city
    tier: 1
    weekly: {days: [mon, funday], start: "25:00", end: "08:00"}
    counselors: [wang-li, ghost]
  - hotline: city
    tier: 2
    weekly: {days: [tue], start: "08:00", end: "17:00"}
    counselors: []
overrides:
  - hotline: city
    tier: 1
    start: "2026-12-24T08:00"
    end: "2026-12-23T08:00"
    counselors: [wang-li]
"""


def test_an_invalid_file_names_every_problem_with_its_place_and_writes_nothing(
    session: Session,
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        import_configuration(session, BROKEN, T0)
    problems = "\n".join(raised.value.problems)
    expected = [
        "line 5, hotlines[0].timezone: unknown time zone 'Asia/Shangai'",
        "line 6, hotlines[0].overflow: unknown hotline 'nowhere'",
        "line 9, counselors[1].key: duplicate key 'wang-li'",
        "line 9, counselors[1].phone: not a valid phone number: '12345'",
        "hotline 'city'",  # the rota cannot be read against a line with an unknown zone
    ]
    for fragment in expected[:4]:
        assert fragment in problems
    assert _count(session, RotaPattern) == 0
    assert session.scalar(select(func.count()).select_from(Hotline)) == 0


def test_rota_problems_are_reported_with_their_lines(session: Session) -> None:
    import_configuration(session, SMALL, T0)
    broken_rota = BROKEN[BROKEN.index("rota:") :]
    with pytest.raises(ConfigurationError) as raised:
        import_configuration(session, broken_rota, T0 + timedelta(days=1))
    problems = raised.value.problems
    assert "line 4, rota[0].weekly.days: must list days among mon, tue" in problems[0]
    assert any(
        'line 4, rota[0].weekly.start: must be a time from "00:00" to "23:59"' in p
        for p in problems
    )
    assert any("rota[0].counselors: unknown counselor 'ghost'" in p for p in problems)
    assert any("rota[1].counselors: a tier needs at least one counselor" in p for p in problems)
    assert any("line 14, overrides[0].end: must be after `start`" in p for p in problems)
    assert _count(session, RotaVersion) == 1


def test_duplicate_yaml_keys_and_unknown_fields_are_refused(session: Session) -> None:
    text = SMALL.replace(
        "    ring_seconds: 20\n", "    ring_seconds: 20\n    ring_seconds: 30\n    colour: red\n"
    )
    with pytest.raises(ConfigurationError) as raised:
        import_configuration(session, text, T0)
    assert raised.value.problems == ["line 8, hotlines[0].ring_seconds: duplicate key"]


def test_unknown_fields_are_refused_with_the_allowed_ones(session: Session) -> None:
    text = SMALL.replace("    ring_seconds: 20\n", "    ring_seconds: 20\n    colour: red\n")
    with pytest.raises(ConfigurationError) as raised:
        import_configuration(session, text, T0)
    assert raised.value.problems[0].startswith("line 8, hotlines[0].colour: unknown field")


def test_unquoted_phone_numbers_and_times_get_a_hint(session: Session) -> None:
    text = SMALL.replace('number: "+8657463898070"', "number: +8657463898070").replace(
        'end: "20:00"',
        "end: 20:00",  # YAML reads an unquoted 20:00 as the number 1200
    )
    with pytest.raises(ConfigurationError) as raised:
        import_configuration(session, text, T0)
    joined = "\n".join(raised.value.problems)
    assert "write phone numbers in quotes" in joined
    assert 'got a number (quote times: "08:00")' in joined


def test_phone_numbers_are_stored_in_e164(session: Session) -> None:
    text = SMALL.replace('"+8613900000001"', '"+86 139-0000-0001"')
    import_configuration(session, text, T0)
    phone = session.scalar(select(Counselor.phone).where(Counselor.key == "wang-li"))
    assert phone == "+8613900000001"


def test_alert_timing_service_hours_and_texts_without_links_round_trip_and_are_checked(
    session: Session,
) -> None:
    import_configuration(session, DEMO.read_text(encoding="utf-8"), T0)
    city = session.scalar(select(Hotline).where(Hotline.key == "city"))
    school = session.scalar(select(Hotline).where(Hotline.key == "school-yz"))
    assert city is not None
    assert school is not None
    assert (city.alert_escalation_minutes, city.message_links) == (10, False)
    assert (school.alert_escalation_minutes, school.message_links) == (10, True)
    assert school.service_hours == [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:30", "end": "21:30"}
    ]
    assert city.service_hours is None
    exported = export_configuration(session)
    assert "message_links: false" in exported
    assert "service_hours:" in exported
    wrong_day = DEMO.read_text(encoding="utf-8").replace(
        '{days: [mon, tue, wed, thu, fri], start: "07:30"', '{days: [someday], start: "07:30"'
    )
    with pytest.raises(ConfigurationError, match="service_hours"):
        import_configuration(session, wrong_day, T0 + timedelta(hours=1))
    bad = DEMO.read_text(encoding="utf-8").replace(
        "alert_escalation_minutes: 10", "alert_escalation_minutes: 0"
    )
    with pytest.raises(ConfigurationError, match="alert_escalation_minutes"):
        import_configuration(session, bad, T0 + timedelta(hours=1))


ALIAS_BOMB = """\
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
hotlines: [*d, *d, *d, *d, *d, *d, *d, *d, *d]
"""


def test_yaml_aliases_are_refused_before_anything_is_built(session: Session) -> None:
    with pytest.raises(ConfigurationError, match=r"line 2: YAML aliases \(\*a\)"):
        import_configuration(session, ALIAS_BOMB, T0)
    assert session.scalar(select(func.count()).select_from(Hotline)) == 0


def test_a_file_with_too_many_values_is_refused(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(located, "MAX_NODES", 1000)  # the real cap, 500,000, takes seconds
    huge = "partners:\n" + "".join(f"  - {{key: p{n}, name: P}}\n" for n in range(400))
    with pytest.raises(ConfigurationError, match="over 1000 values"):
        import_configuration(session, huge, T0)


def test_a_line_number_that_is_a_counselors_phone_is_refused_with_its_place(
    session: Session,
) -> None:
    clash = SMALL.replace('"+8613900000002"', '"+8657463898070"')  # zhang-wei's phone
    with pytest.raises(ConfigurationError) as raised:
        import_configuration(session, clash, T0)
    assert raised.value.problems == [
        "line 4, hotlines[0].number: the same number as counselor 'zhang-wei': "
        "a line's number cannot be a counselor's"
    ]
    assert session.scalar(select(func.count()).select_from(Hotline)) == 0


def test_a_counselor_given_a_lines_number_in_a_later_file_is_refused_with_its_place(
    session: Session,
) -> None:
    import_configuration(session, SMALL, T0)
    counselors_only = 'counselors:\n  - {key: wang-li, name: 王丽, phone: "+8657463898070"}\n'
    with pytest.raises(ConfigurationError) as raised:
        import_configuration(session, counselors_only, T0 + timedelta(hours=1))
    assert raised.value.problems == [
        "line 2, counselors[0].phone: the same number as line 'city': "
        "a line's number cannot be a counselor's"
    ]


def test_two_counselors_may_share_one_phone(session: Session) -> None:
    shared = SMALL.replace('"+8613900000002"', '"+8613900000001"')  # a duty mobile
    import_configuration(session, shared, T0)
    phones = session.scalars(select(Counselor.phone).order_by(Counselor.key)).all()
    assert phones == ["+8613900000003", "+8613900000001", "+8613900000001"]
