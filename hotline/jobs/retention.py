"""`retention-purge`: delete what retention says to delete, batch by batch, then audit it."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from hotline.jobs.env import JobEnv
from hotline.records import audit
from hotline.records.forgetting import forget_now
from hotline.records.policy import records_policy
from hotline.records.retention import purge_batch


def retention_purge(env: JobEnv, now: datetime) -> dict[str, Any]:
    """Batches until nothing is left to delete, each its own transaction; then the deleted
    rows are wiped from SQLite's WAL too (`hotline.records.forgetting`)."""
    policy = records_policy(env.settings)
    total: Counter[str] = Counter()
    while True:
        with env.database.write() as db:
            counts = purge_batch(db, policy, now)
        total.update(counts)
        if not any(counts.values()):
            break
    with env.database.write() as db:
        audit.record(
            db, now, "retention.purge", actor="job", source="retention-purge", detail=dict(total)
        )
    forget_now(env.database)  # what was deleted must not stay readable in SQLite's files
    return {"deleted": dict(total)}
