"""The operators' pages (administrators' too): the outbox, with a retry, and the job runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import Form, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from hotline import clock
from hotline.jobs import ledger
from hotline.jobs.registry import JOBS
from hotline.jobs.schedule import next_occurrence
from hotline.models import JobRun
from hotline.outbound.admin import outbox_page, retry
from hotline.outbound.outbox import STATES
from hotline.web import labels
from hotline.web.calllog import page_links
from hotline.web.context import audited, database, viewer
from hotline.web.forms import ButtonForm, choices

operations = Blueprint("operations", __name__, url_prefix="/operations")
MISSES_OVER = timedelta(days=7)
RECENT_RUNS = 100


class OutboxFilter(Form):  # type: ignore[misc]
    """The outbox's filter, read from the query string (a GET: no CSRF token needed)."""

    state = SelectField(
        _l("State"),
        choices=choices([(s, labels.MESSAGE_STATES[s]) for s in STATES], blank=True),
        default="",
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


@dataclass(frozen=True, slots=True)
class JobStatus:
    name: str
    last: JobRun | None
    next_at: datetime
    missed: int


@operations.get("/outbox")
def outbox() -> tuple[str, int]:
    form = OutboxFilter(request.args)
    if not form.validate():
        return render_template("outbox.html", form=form, page=None, labels=labels.ALL), 400
    with database().read() as db:
        page = outbox_page(db, viewer(), form.state.data or None, form.page.data or 1)
    here = {k: v for k, v in (("state", form.state.data), ("page", page.page)) if v}
    links = page_links(page.page, page.has_next)
    context = {"page": page, "links": links, "here": here, "button": ButtonForm()}
    return render_template("outbox.html", form=form, labels=labels.ALL, **context), 200


@operations.post("/outbox/<int:message_id>/retry")
def retry_message(message_id: int) -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    now = clock.now()
    with database().write() as db:
        done = retry(db, viewer(), message_id, now)
        if done is None:
            abort(404)
        if done:
            audited(db, now, "outbox.retry", target=str(message_id))
    if done:
        flash(_("Message #%(id)s is queued again.", id=message_id))
    else:
        flash(_("Message #%(id)s cannot be retried now.", id=message_id))
    # Back to the page the button was on: its filter travels in the action's query string.
    kept: dict[str, Any] = {k: v for k in ("state", "page") if (v := request.args.get(k))}
    return redirect(url_for("operations.outbox", **kept))


@operations.get("/jobs")
def jobs() -> str:
    now = clock.now()
    with database().read() as db:  # rendered inside: a read transaction's rows expire after it
        return render_template(
            "jobs.html",
            jobs=job_statuses(db, now),
            runs=ledger.recent_runs(db, RECENT_RUNS),
            summary=summary,
            labels=labels.ALL,
        )


def job_statuses(db: Session, now: datetime) -> list[JobStatus]:
    return [
        JobStatus(
            job.name,
            ledger.last_run(db, job.name),
            next_occurrence(job.schedule, now),
            ledger.missed_count(db, job.name, now - MISSES_OVER),
        )
        for job in JOBS.values()
    ]


def summary(detail: dict[str, Any], limit: int = 160) -> str:
    """What a run did, in one short line (counts and reasons only: jobs record no data)."""
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
