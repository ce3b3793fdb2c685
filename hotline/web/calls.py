"""The call log, a call's detail (with its alert) and the export (every read is audited, and
so is every refused attempt at a call record)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from hotline import clock, deadline
from hotline.alerts.views import alert_for_call, open_alerts
from hotline.records.calllog import call_log_page
from hotline.records.detail import call_view
from hotline.records.export import csv_chunks, export_rows, json_chunks
from hotline.web import labels
from hotline.web.access import roles_for
from hotline.web.calllog import filter_form, page_links
from hotline.web.care_calls import care_on_call
from hotline.web.care_labels import CARE
from hotline.web.context import audited, database, viewer
from hotline.web.forms import ButtonForm, ExportForm
from hotline.web.names import names

calls = Blueprint("calls", __name__)
_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
# The pages of call records (any page whose path names a call counts too).
CALL_RECORD_PAGES = frozenset({"calls.log", "calls.detail", "calls.export", "outcomes.form"})


@calls.after_app_request
def audit_refusal(response: Response) -> Response:
    """A signed-in user refused a call record (403: not for their role; 404: not theirs to
    see, or no such call) is audited: who, which call, which refusal. Probing for records is
    what an audit trail is for (reliability notes, I6 and E7)."""
    call_id = (request.view_args or {}).get("call_id")
    asked = request.endpoint in CALL_RECORD_PAGES or call_id is not None
    if response.status_code not in (403, 404) or not asked or not current_user.is_authenticated:
        return response
    detail = {"page": request.endpoint, "status": response.status_code}
    with database().write() as db:
        target = None if call_id is None else str(call_id)
        audited(db, clock.now(), "calls.refused", target=target, detail=detail)
    return response


@calls.get("/calls")
def log() -> tuple[str, int]:
    now, who = clock.now(), viewer()
    with database().write() as db:
        form = filter_form(db, who)
        if not form.validate():
            return render_template("calls.html", form=form, page=None, labels=labels.ALL), 400
        page = call_log_page(db, who, form.filters(), form.page.data or 1, now)
        detail = {**form.filters().as_json(), "page": page.page}
        audited(db, now, "calls.list", detail=detail)
        alerts = (
            open_alerts(db, who, now, include_recent=False)[:5] if who.role != "counselor" else []
        )
        shown = names(db, counselors=[row.counselor for row in page.rows])
    links = page_links(page.page, page.has_next)
    return render_template(
        "calls.html",
        form=form,
        page=page,
        links=links,
        alerts=alerts,
        # Only where the export is allowed: a button that leads to a 403 is a dead end.
        export=ExportForm() if who.role in (roles_for("calls.export") or ()) else None,
        labels=labels.ALL,
        names=shown,
    ), 200


@calls.get("/calls/<int:call_id>")
def detail(call_id: int) -> str:
    now, who = clock.now(), viewer()
    with database().write() as db:
        call = call_view(db, who, call_id, now)
        if call is None:
            abort(404)
        audited(db, now, "calls.view", target=str(call_id))
        alert, shown = alert_for_call(db, who, call_id), names(db)
        care_call = care_on_call(db, who, call_id, now, "call")
    return render_template(
        "call_detail.html",
        call=call,
        alert=alert,
        button=ButtonForm(),
        labels=labels.ALL,
        names=shown,
        care_call=care_call,
        care=CARE,
    )


@calls.post("/calls/export")
def export() -> Response:
    now, who, export_form = clock.now(), viewer(), ExportForm()
    with database().write() as db:
        form = filter_form(db, who)
        if not (form.validate() and export_form.validate_on_submit()):
            abort(400)
        filters, kind = form.filters(), export_form.format.data
        detail = {**filters.as_json(), "format": kind}
        audited(db, now, "calls.export", detail=detail)
    chunks = csv_chunks if kind == "csv" else json_chunks

    def stream() -> Iterator[str]:
        with deadline.within(deadline.EXPORT_BUDGET_S), database().read() as db:
            yield from chunks(export_rows(db, who, filters, now))

    # The file is named by when it was made, in UTC, and says so.
    disposition = f'attachment; filename="calls-{now:%Y-%m-%d-%H%M}UTC.{kind}"'
    return Response(
        stream_with_context(stream()),
        content_type=_TYPES[kind],
        headers={"Content-Disposition": disposition},
    )
