"""`outbox-send`: the scheduler's hand on the outbox (see `hotline.outbound.sending`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotline.jobs.env import JobEnv
from hotline.outbound.sending import Sender, send_due
from hotline.secrets_at_rest import DataKeys


def outbox_send(env: JobEnv, now: datetime) -> dict[str, Any]:
    sender = Sender(
        env.database,
        env.outbound,
        env.settings.public_url,
        env.settings.message_budget_per_day,
        DataKeys.of(env.settings),
    )
    return {"messages": send_due(sender, now)}
