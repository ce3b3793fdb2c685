"""High-risk alerts: raised by an outcome, escalated level by level until acknowledged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from hotline.alerts.escalation import escalate_due
from hotline.alerts.risk import acknowledge
from hotline.alerts.views import open_alerts
from hotline.models import Call, Counselor, Hotline, OutboxMessage, RiskAlert
from hotline.records.outcomes import save_outcome
from hotline.records.scope import Viewer
from tests.hotline.records.test_outcomes_and_alerts import AT, URL, outcome, save


def told(world: Any) -> list[tuple[str, str]]:
    """(recipient ref, level) of every queued message, in order."""
    with world.database.read() as reading:
        keys = reading.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)).all()
    return [(k.split(":")[4], k.split(":")[3]) for k in keys if k.startswith("risk-alert:")]


def escalate(world: Any, minutes: int) -> dict[str, Any]:
    with world.database.write() as writing:
        return escalate_due(writing, AT + timedelta(minutes=minutes), URL)


def people(world: Any) -> dict[str, Any]:
    return {
        "sue": world.user("sue", "supervisor", hotlines=("city",), phone="+8613900000099"),
        "olga": world.user("olga", "operator", hotlines=("city",), email="olga@example.org"),
        "tom": world.user("tom", "supervisor", hotlines=("school",), phone="+447700900002"),
    }


def test_an_unacknowledged_alert_reaches_supervisors_then_operators_then_the_psychiatrist(
    world: Any,
) -> None:
    who = people(world)
    with world.database.write() as writing:  # li-na, on duty on city's tier 1, is a psychiatrist
        writing.execute(
            update(Counselor)
            .where(Counselor.key == "li-na")
            .values(qualifications=["psychiatrist"])
        )
    call_id = world.call("city", AT, counselor="wang-li")
    save(world, call_id, outcome(risk="imminent"))
    sue, olga, li_na = f"user-{who['sue']['id']}", f"user-{who['olga']['id']}", "counselor-"
    assert told(world) == [(sue, "L0")]
    assert escalate(world, 9) == {"escalated": 0, "queued": 0}
    assert escalate(world, 10) == {"escalated": 1, "queued": 2}
    assert escalate(world, 10) == {"escalated": 0, "queued": 0}  # the same instant again
    assert told(world)[1:] == [(sue, "L1"), (olga, "L1")]
    escalate(world, 20)
    level_two = told(world)[3:]
    assert [ref for ref, _ in level_two][:2] == [sue, olga]
    assert level_two[2][0].startswith(li_na)
    assert {lvl for _, lvl in level_two} == {"L2"}
    escalate(world, 30)
    assert escalate(world, 60) == {"escalated": 0, "queued": 0}  # level 3 is the last
    assert f"user-{who['tom']['id']}" not in {ref for ref, _ in told(world)}


def test_one_click_acknowledges_stops_escalation_and_cancels_what_was_not_sent(
    world: Any,
) -> None:
    who = people(world)
    call_id = world.call("city", AT, counselor="wang-li")
    save(world, call_id, outcome(risk="high"))
    supervisor = Viewer("sue", "supervisor", line_ids=frozenset({world.ids(Hotline, "city")}))
    with world.database.write() as writing:
        alert_id = writing.scalar(select(RiskAlert.id).where(RiskAlert.call_id == call_id))
        assert alert_id is not None
        other = Viewer("tom", "supervisor", line_ids=frozenset({world.ids(Hotline, "school")}))
        assert acknowledge(writing, alert_id, who["tom"]["id"], other, AT) is None
        done = acknowledge(writing, alert_id, who["sue"]["id"], supervisor, AT)
        assert done is not None
        assert done.acknowledged_by_id == who["sue"]["id"]
        again = acknowledge(writing, alert_id, who["olga"]["id"], supervisor, AT)
        assert again is not None
        assert again.acknowledged_by_id == who["sue"]["id"]
    assert escalate(world, 30) == {"escalated": 0, "queued": 0}
    with world.database.read() as reading:
        states = set(reading.scalars(select(OutboxMessage.state)))
        shown = open_alerts(reading, supervisor, AT)
    assert states == {"cancelled"}
    assert shown[0].acknowledged_by == "sue"
    assert not shown[0].is_open


def test_lowering_the_risk_cancels_the_unsent_alert_and_raising_it_reopens_it(
    world: Any,
) -> None:
    people(world)
    call_id = world.call("city", AT, counselor="wang-li")
    save(world, call_id, outcome(risk="high"))
    lowered = save(world, call_id, outcome(risk="moderate"))
    assert lowered.alerts_cancelled == 1
    assert escalate(world, 30) == {"escalated": 0, "queued": 0}
    with world.database.read() as reading:
        assert set(reading.scalars(select(OutboxMessage.state))) == {"cancelled"}
    with world.database.write() as writing:  # edited again five minutes later
        call = writing.get(Call, call_id)
        later = AT + timedelta(minutes=5)
        raised = save_outcome(
            writing, call, outcome(risk="imminent"), later, note_max=4000, public_url=URL
        )
    assert (raised.alerts_queued, raised.alert_open) == (1, True)


def test_operators_see_open_alerts_of_their_lines_without_the_risk_level(world: Any) -> None:
    people(world)
    call_id = world.call("city", AT, counselor="wang-li")
    save(world, call_id, outcome(risk="imminent"))
    operator = Viewer("olga", "operator", line_ids=frozenset({world.ids(Hotline, "city")}))
    elsewhere = Viewer("ann", "operator", line_ids=frozenset({world.ids(Hotline, "school")}))
    with world.database.read() as reading:
        seen = open_alerts(reading, operator, AT)
        assert open_alerts(reading, elsewhere, AT) == []
        assert open_alerts(reading, Viewer("c", "counselor", counselor_id=1), AT) == []
    assert [(a.call_id, a.risk, a.is_open) for a in seen] == [(call_id, None, True)]
    assert [n.recipient for n in seen[0].notices] == ["sue"]
