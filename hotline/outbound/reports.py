"""Reports to operators: what went wrong that a person must look at (a message that cannot be
delivered, runs the scheduler missed). Each is keyed by its occasion, so it is queued once.

A report about a report is never made: an operator message that fails only shows on the
operators' outbox page (otherwise a broken provider would feed on itself).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hotline.outbound.outbox import line_users, queue_text, user_recipient

OPERATOR_REPORTS = frozenset({"delivery-problem", "job-missed"})


def report_to_operators(
    session: Session,
    occasion: str,
    template: str,
    now: datetime,
    *,
    public_url: str,
    line_ids: list[int] | None = None,
    **values: Any,
) -> int:
    """Queue `template` to the active operators (of these lines, or all); returns how many."""
    operators = [user_recipient(u) for u in line_users(session, ("operator",), line_ids)]
    page = "outbox" if template == "delivery-problem" else "jobs"
    link = f"{public_url}/operations/{page}"
    return queue_text(
        session,
        f"report:{occasion}",
        operators,
        template,
        now,
        urgent=False,
        link=link,
        **values,
    )
