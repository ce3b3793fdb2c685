"""The call log, a call's detail (with its alert) and the export (every read is audited)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, render_template, stream_with_context

from hotline import clock
from hotline.alerts.views import alert_for_call, open_alerts
from hotline.records.calllog import call_log_page
from hotline.records.detail import call_view
from hotline.records.export import csv_chunks, export_rows, json_chunks
from hotline.web import labels
from hotline.web.calllog import filter_form, page_links
from hotline.web.context import audited, database, viewer
from hotline.web.forms import ButtonForm, ExportForm
from hotline.web.names import names

calls = Blueprint("calls", __name__)
_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


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
        export=ExportForm(),
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
    return render_template(
        "call_detail.html",
        call=call,
        alert=alert,
        button=ButtonForm(),
        labels=labels.ALL,
        names=shown,
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
        with database().read() as db:
            yield from chunks(export_rows(db, who, filters, now))

    disposition = f'attachment; filename="calls-{now:%Y%m%d}.{kind}"'
    return Response(
        stream_with_context(stream()),
        content_type=_TYPES[kind],
        headers={"Content-Disposition": disposition},
    )
