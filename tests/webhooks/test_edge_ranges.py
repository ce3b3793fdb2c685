"""Twilio's numbers and times are range-checked at the edge: out of range is a 400 for a
callback, and nothing absurd is stored (an export or a page would stumble on it later)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Call
from tests.webhooks.test_faults import SID, _post
from webhooks.simulator import WebhookClient


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("SequenceNumber", "9" * 30),
        ("CallDuration", "9" * 30),
        ("CallDuration", "86401"),
        ("Timestamp", "Fri, 31 Dec 9999 23:59:59 +0000"),
        ("Timestamp", "Mon, 01 Jan 1900 00:00:00 +0000"),
    ],
)
def test_an_absurd_value_in_a_status_callback_is_a_400_and_stores_nothing(
    webhook: WebhookClient, session: Session, field: str, value: str
) -> None:
    reply = _post(webhook, "status", CallStatus="completed", **{field: value})
    assert reply.status == 400
    assert session.scalar(select(Call.id).where(Call.call_sid == SID)) is None


def test_a_stamp_a_day_away_from_our_clock_is_not_taken_as_the_end(
    webhook: WebhookClient, session: Session
) -> None:
    _post(webhook, "incoming")
    stamp = "Wed, 01 Jan 2031 00:00:00 +0000"
    assert _post(webhook, "status", CallStatus="completed", Timestamp=stamp).status == 204
    ended = session.scalar(select(Call.ended_at).where(Call.call_sid == SID))
    assert ended is not None
    assert ended.year < 2031


def test_an_absurd_step_in_a_dial_action_still_reaches_the_fallback_line(
    webhook: WebhookClient,
) -> None:
    _post(webhook, "incoming")
    reply = _post(webhook, "dial?round=0&step=99999999999999999999", DialCallStatus="no-answer")
    assert reply.status == 200
    assert "<Dial" in reply.body
