"""`risk-escalation`: one transaction for every overdue alert (see `hotline.alerts.escalation`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotline.alerts.escalation import escalate_due
from hotline.jobs.env import JobEnv


def risk_escalation(env: JobEnv, now: datetime) -> dict[str, Any]:
    with env.database.write() as db:
        return escalate_due(db, now, env.settings.public_url)
