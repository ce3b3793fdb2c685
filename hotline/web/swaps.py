"""Shift swaps (`hotline.desk.swaps`): a counselor's page of their shifts, offers and answers
(`/swaps`); the operators' approvals (`/rota/swaps`), each with what it would break."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Length, Regexp

from hotline import clock
from hotline.desk import swaps as service
from hotline.desk.swaps import SwapRefused
from hotline.models import Counselor, Hotline, ShiftSwap
from hotline.models.desk import OPEN_SWAP_STATES
from hotline.web.context import client_address, database, me, settings, viewer
from hotline.web.desk_forms import RULES
from hotline.web.forms import ButtonForm

swaps = Blueprint("swaps", __name__)
Page = str | Response

REASONS = {
    "started": _l("That shift has started: it can no longer be swapped."),
    "not-yours": _l("That shift is not yours on the rota (any more)."),
    "not-qualified": _l("That colleague does not hold every qualification the shift needs."),
    "duplicate": _l("That shift is offered already."),
    "not-addressed": _l("That offer is not yours to answer."),
    "not-open": _l("That swap was settled meanwhile."),
    "unknown": _l("There is no such swap."),
    "roster-changes": _l("The tier changes during that shift: ask an operator to edit the rota."),
    "busy": _l("That colleague is on that tier then already."),
    "unavailable": _l("The rota would not put that colleague on duty then (leave?)."),
    "clock-change": _l("That shift spans a clock change: ask an operator to edit the rota."),
    "rejected": _l("The rota refused the change."),
}
STATES = {
    "offered": _l("Offered"),
    "accepted": _l("Accepted, waiting for approval"),
    "approved": _l("Approved"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired (the shift started)"),
}
ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?\+00:00$"


class OfferForm(FlaskForm):  # type: ignore[misc]
    line = HiddenField(validators=[DataRequired(), Length(max=64)])
    tier = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,2}$")])
    start = HiddenField(validators=[DataRequired(), Regexp(ISO)])
    to = SelectField(_l("Offer to"), default="", validate_choice=False)


def _public_url() -> str:
    return settings().public_url


def _me_counselor(db: Session) -> Counselor:
    counselor_id = viewer().counselor_id
    person = db.get(Counselor, counselor_id) if counselor_id is not None else None
    if person is None:
        abort(403)
    return person


def _expire() -> None:
    now = clock.now()
    stale = select(ShiftSwap.id).where(
        ShiftSwap.state.in_(OPEN_SWAP_STATES), ShiftSwap.start <= now
    )
    with database().read() as db:
        if db.scalar(stale.limit(1)) is None:
            return
    with database().write() as db:
        service.expire_started(db, now)


@swaps.get("/swaps")
def mine() -> Page:
    _expire()
    now = clock.now()
    with database().read() as db:
        me_ = _me_counselor(db)
        shifts = service.upcoming_shifts(db, me_.key, now)
        rows = service.swaps_of(db, me_.id)
        offers = service.open_offers_for(db, me_)
        colleagues = [
            (c.key, c.name)
            for c in db.scalars(select(Counselor).order_by(Counselor.position))
            if service.qualified(c, me_)
        ]
        names, lines, zones = _names(db)
        offered = {(r.hotline_id, r.tier, r.start) for r in rows
                   if r.offered_by == me_.id and r.state in OPEN_SWAP_STATES}  # fmt: skip
        me_id = me_.id
        rows_, offers_ = [_view(r) for r in rows], [_view(r) for r in offers]
    return render_template(
        "swaps.html", shifts=shifts, rows=rows_, offers=offers_, colleagues=colleagues,
        names=names, lines=lines, zones=zones, local=local, offered=offered, me_id=me_id,
        states=STATES, form=OfferForm(), button=ButtonForm(),
    )  # fmt: skip


@swaps.post("/swaps/offer")
def offer_shift() -> Response:
    form = OfferForm()
    if not form.validate_on_submit():
        abort(400)
    start = datetime.fromisoformat(form.start.data)

    def act(db: Session, now: datetime) -> str:
        me_ = _me_counselor(db)
        to = None
        if form.to.data:
            to = db.scalar(select(Counselor).where(Counselor.key == form.to.data))
            if to is None:
                raise SwapRefused("not-qualified")
        service.offer(db, me_, form.line.data, int(form.tier.data), start, to, now,
                      actor=me().username, source=client_address(),
                      public_url=_public_url())  # fmt: skip
        return str(_("Your shift is offered."))

    return _act(act, "swaps.mine")


@swaps.post("/swaps/<int:swap_id>/accept")
def accept(swap_id: int) -> Response:
    def act(db: Session, now: datetime) -> str:
        row = service.accept(db, swap_id, _me_counselor(db), now, actor=me().username,
                             source=client_address(), public_url=_public_url())  # fmt: skip
        if row.state == "approved":
            return str(_("You took the shift, and the line approved it at once: it is yours."))
        return str(_("You took the shift; an operator of the line approves it."))

    return _act(act, "swaps.mine")


@swaps.post("/swaps/<int:swap_id>/decline")
def decline(swap_id: int) -> Response:
    def act(db: Session, now: datetime) -> str:
        service.decline(db, swap_id, now, by_counselor=_me_counselor(db), actor=me().username,
                        source=client_address(), public_url=_public_url())  # fmt: skip
        return str(_("You declined the offer."))

    return _act(act, "swaps.mine")


@swaps.post("/swaps/<int:swap_id>/withdraw")
def withdraw(swap_id: int) -> Response:
    def act(db: Session, now: datetime) -> str:
        service.withdraw(db, swap_id, _me_counselor(db), now, actor=me().username,
                         source=client_address(), public_url=_public_url())  # fmt: skip
        return str(_("Your offer is withdrawn."))

    return _act(act, "swaps.mine")


@swaps.get("/rota/swaps")
def approvals() -> Page:
    """Accepted swaps of the operator's lines, each checked (in a savepoint rolled back) for
    the rules it would break and the gaps it would open."""
    _expire()
    now = clock.now()
    found: list[tuple[dict[str, Any], Any, str | None]] = []
    with database().write() as db:
        for row in service.awaiting_approval(db, viewer().line_ids):
            seen = _view(row)
            taker = db.get(Counselor, row.taken_by) if row.taken_by else None
            try:
                check = service.check_swap(db, row, taker, now) if taker else None
                found.append((seen, check.effect if check else None, None))
            except SwapRefused as refused:
                found.append((seen, None, str(REASONS.get(refused.code, refused.code))))
        names, lines, zones = _names(db)
        keynames = dict(db.execute(select(Counselor.key, Counselor.name)).all())
    return render_template(
        "rota_swaps.html", found=found, names=names, lines=lines, zones=zones, local=local,
        keynames=keynames, rules=RULES, states=STATES, button=ButtonForm(),
    )  # fmt: skip


@swaps.post("/rota/swaps/<int:swap_id>/approve")
def approve(swap_id: int) -> Response:
    def act(db: Session, now: datetime) -> str:
        _my_line(db, swap_id)
        service.approve(db, swap_id, now, actor=me().username, source=client_address(),
                        public_url=_public_url())  # fmt: skip
        return str(_("Approved: the rota has a new version with the swap."))

    return _act(act, "swaps.approvals")


@swaps.post("/rota/swaps/<int:swap_id>/refuse")
def refuse(swap_id: int) -> Response:
    def act(db: Session, now: datetime) -> str:
        _my_line(db, swap_id)
        service.decline(db, swap_id, now, by_counselor=None, line_ids=viewer().line_ids,
                        actor=me().username, source=client_address(),
                        public_url=_public_url())  # fmt: skip
        return str(_("Declined: the rota stays as it was."))

    return _act(act, "swaps.approvals")


def _act(act: Callable[[Session, datetime], str], back: str) -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        with database().write() as db:
            flash(act(db, clock.now()))
    except SwapRefused as refused:
        flash(str(REASONS.get(refused.code, refused.code)))
        for problem in refused.problems[:5]:
            flash(problem)
    return redirect(url_for(back))


def _my_line(db: Session, swap_id: int) -> None:
    row = db.get(ShiftSwap, swap_id)
    scope = viewer().line_ids
    if row is None or (scope is not None and row.hotline_id not in scope):
        abort(404)


def _names(db: Session) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    people = {i: n for i, n in db.execute(select(Counselor.id, Counselor.name))}
    rows = db.execute(select(Hotline.id, Hotline.name, Hotline.timezone)).all()
    return people, {i: n for i, n, _z in rows}, {i: z for i, _n, z in rows}


def _view(row: ShiftSwap) -> dict[str, Any]:
    names = ("id", "hotline_id", "tier", "start", "end", "offered_by", "offered_to", "taken_by",
             "state", "override_key", "decided_by")  # fmt: skip
    return {"line_id": row.hotline_id, **{name: getattr(row, name) for name in names}}


def local(at: datetime, timezone: str) -> str:
    """A moment on a line's wall clock, as the pages show it."""
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
