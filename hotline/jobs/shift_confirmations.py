"""`shift-confirmations`: shifts about to start are asked to be confirmed, and those still
unconfirmed after their start are told to others (see `hotline.shifts.asking`, `.escalation`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotline.jobs.env import JobEnv
from hotline.shifts.asking import ask_confirmations
from hotline.shifts.escalation import escalate_unconfirmed


def shift_confirmations(env: JobEnv, now: datetime) -> dict[str, Any]:
    public_url = env.settings.public_url
    with env.database.write() as db:
        asked = ask_confirmations(db, now, public_url)
        told = escalate_unconfirmed(db, now, public_url)
    return {**asked, **told, "queued": asked["queued"] + told["queued"]}
