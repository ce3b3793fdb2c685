"""`shift-reminders`: each shift is reminded of once, `LEAD` (12 h) before it starts (see
`hotline.shifts.reminders`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotline.jobs.env import JobEnv
from hotline.shifts.reminders import LEAD, queue_reminders


def shift_reminders(env: JobEnv, now: datetime) -> dict[str, Any]:
    with env.database.write() as db:
        return queue_reminders(db, now, now + LEAD)
