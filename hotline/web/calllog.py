"""Building the call log's filter form and reading it (choices come from the database)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Counselor, Hotline, Partner
from hotline.records.calllog import CallFilters
from hotline.records.scope import Viewer
from hotline.web.forms import FilterForm, choices


def filter_form(db: Session, viewer: Viewer) -> FilterForm:
    """The filters from the query string, with the lines and counselors this viewer may pick."""
    form = FilterForm(request.args)
    lines = select(Hotline.key, Hotline.name).order_by(Hotline.position)
    if viewer.line_ids is not None:
        lines = lines.where(Hotline.id.in_(sorted(viewer.line_ids)))
    form.line.choices = choices(db.execute(lines).all(), blank=True)
    form.lines.choices = choices(db.execute(lines).all())
    counselors = select(Counselor.key, Counselor.name).order_by(Counselor.position)
    if viewer.role == "counselor":
        counselors = counselors.where(Counselor.id == viewer.counselor_id)
    form.counselor.choices = choices(db.execute(counselors).all(), blank=True)
    form.rung.choices = form.counselor.choices
    partners = select(Partner.key, Partner.name).order_by(Partner.position)
    form.partner.choices = choices(db.execute(partners).all(), blank=True)
    return form


def log_url(filters: CallFilters) -> str:
    """The call log listing exactly the calls these filters select (a figure's link)."""
    args: list[tuple[str, str]] = [
        (name, str(value))
        for name in ("line", "start", "end", "result", "risk", "call_type", "counselor")
        if (value := getattr(filters, name)) is not None
    ]
    args += [("lines", key) for key in filters.lines]
    args += list(filters.counted.args().items())
    return url_for("calls.log") + ("?" + urlencode(args) if args else "")


def page_links(page: int, has_next: bool) -> dict[str, str | None]:
    """Query strings of the previous and next pages and of the export, keeping the filters."""
    # multi: a figure's lines come as `lines=a&lines=b`, and every one of them must stay.
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]

    def link(number: int) -> str:
        return "?" + urlencode([*args, ("page", str(number))])

    return {
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if has_next else None,
        "filters": "?" + urlencode(args) if args else "",
    }
