"""Flagged means "the latest risk is high": lowering the risk unflags the call."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hotline.models import CallOutcome
from tests.hotline.records.test_outcomes_and_alerts import AT, outcome, save


def flagged(world: Any, call_id: int) -> bool | None:
    with world.database.read() as reading:
        found: bool | None = reading.scalar(
            select(CallOutcome.flagged).where(CallOutcome.call_id == call_id)
        )
    return found


def test_lowering_the_risk_unflags_the_call_and_raising_it_flags_it_again(world: Any) -> None:
    world.user("sue", "supervisor", phone="+8613900000099")
    call_id = world.call("city", AT, counselor="wang-li")
    assert save(world, call_id, outcome(risk="high")).alerts_queued == 1
    assert flagged(world, call_id) is True
    lowered = save(world, call_id, outcome(risk="moderate"))
    assert (lowered.unflagged, lowered.alerts_cancelled) == (True, 1)
    assert flagged(world, call_id) is False
    again = save(world, call_id, outcome(risk="low"))
    assert again.unflagged is False  # it was not flagged any more
    save(world, call_id, outcome(risk="imminent"))
    assert flagged(world, call_id) is True
