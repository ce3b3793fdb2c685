"""`referrals-overdue`: urgent referrals not accepted in time (see `hotline.care.overdue`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotline.care.overdue import alert_overdue
from hotline.jobs.env import JobEnv


def referrals_overdue(env: JobEnv, now: datetime) -> dict[str, Any]:
    with env.database.write() as db:
        return alert_overdue(db, now, env.settings.public_url)
