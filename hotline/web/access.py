"""Deny by default: which roles reach which page. An endpoint missing from this table answers
404 to everybody, and a test fails for every app route that is not in it.

Data-level checks (a counselor's own calls, a supervisor's lines) live in the record services.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_login import current_user
from werkzeug.wrappers import Response

from hotline.web.kiosk import kiosk_screen
from hotline.web.sessions import unauthorized

PUBLIC = frozenset({"public"})  # no session needed
TWILIO = frozenset({"twilio"})  # no session; the blueprint checks Twilio's signature itself
API = frozenset({"api"})  # no session; the blueprint checks a bearer token itself
EVERYONE = frozenset({"admin", "operator", "supervisor", "counselor"})
REVIEWERS = frozenset({"admin", "supervisor"})
OPERATIONS = frozenset({"admin", "operator"})
KIOSK = frozenset({"kiosk"})  # a wall screen's browser (hotline.web.kiosk): no user at all

ROUTE_ROLES: dict[str, frozenset[str]] = {
    "static": PUBLIC,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.totp": PUBLIC,  # half-way through sign-in; the view checks the pending state
    "auth.totp_setup": PUBLIC,
    "auth.logout": EVERYONE,
    "resume.sign_in_again": PUBLIC,  # signs in itself, like the login page
    "pages.home": EVERYONE,
    "pages.account": EVERYONE,
    "pages.language": EVERYONE,
    "outcomes.waiting": frozenset({"counselor"}),
    "outcomes.form": frozenset({"counselor"}),
    "shifts.confirm": frozenset({"counselor"}),
    "calls.log": REVIEWERS | {"counselor"},
    "calls.detail": REVIEWERS | {"counselor"},
    "calls.export": REVIEWERS,
    "statistics.page": REVIEWERS | {"operator"},  # counts; operators get no links to records
    "statistics.report_download": REVIEWERS,  # reports that may leave the hospital: audited
    "alerts.list": REVIEWERS | {"operator"},
    "alerts.acknowledge": REVIEWERS | {"operator"},
    "operations.outbox": OPERATIONS,
    "operations.retry_message": OPERATIONS,
    "operations.jobs": OPERATIONS,
    "admin.audit": frozenset({"admin"}),
    "admin.users": frozenset({"admin"}),
    "admin.deactivate": frozenset({"admin"}),  # GET: the confirmation
    "admin.new_user": frozenset({"admin"}),
    "admin.reactivate_user": frozenset({"admin"}),
    "admin.reset": frozenset({"admin"}),  # GET: the confirmation
    "passwords.change": EVERYONE,
    "passwords.set_by_link": PUBLIC,  # the one-time link is the credential
    # Follow-up care (issue 16). Reception is an operator at the clinic's desk.
    "care.sessions": OPERATIONS,
    "care.publish_one": OPERATIONS,
    "care.publish_pattern": OPERATIONS,
    "care.cancel": OPERATIONS,
    "care.reception": OPERATIONS,
    "followup.book_session": frozenset({"counselor"}),  # their own calls (the view checks)
    "followup.refer": frozenset({"counselor"}),
    # The counselor who booked, or a supervisor of the booking's line (the view checks).
    "followup.cancel": frozenset({"counselor", "supervisor"}),
    "followup.move": frozenset({"counselor", "supervisor"}),
    "referrals.board": REVIEWERS,
    "referrals.move_referral": REVIEWERS,
    # A school line's counselors and supervisors only (the service checks the line).
    "cases.list_cases": frozenset({"counselor", "supervisor"}),
    "cases.new_case": frozenset({"counselor", "supervisor"}),
    "cases.show": frozenset({"counselor", "supervisor"}),
    "cases.add_link": frozenset({"counselor", "supervisor"}),
    "cases.close": frozenset({"counselor", "supervisor"}),
    "api.openapi": PUBLIC,  # the API's description; its answers need a token (API below)
    # The rota desk (issue 15). A kiosk is a wall screen signed in with a board code.
    "board.page": EVERYONE | KIOSK,
    "board.state": EVERYONE | KIOSK,
    "board.kiosk": PUBLIC,  # the wall screen's sign-in, with its board code
    "board.screens": frozenset({"admin"}),
    "board.revoke": frozenset({"admin"}),
    "rota_desk.lines": REVIEWERS | {"operator"},
    "rota_desk.calendar": REVIEWERS | {"operator"},  # supervisors read; the view scopes lines
    "rota_edits.override": OPERATIONS,
    "rota_edits.leave": OPERATIONS,
    "feeds.ical": PUBLIC,  # the secret URL is the credential (hotline.desk.feeds)
    "feeds.make_mine": frozenset({"counselor"}),  # their own: the view names nobody else
    "feeds.revoke_mine": frozenset({"counselor"}),
    "feeds.lines": OPERATIONS,  # the view scopes lines
    "swaps.mine": frozenset({"counselor"}),  # their own shifts and swaps only
    "swaps.offer_shift": frozenset({"counselor"}),
    "swaps.accept": frozenset({"counselor"}),
    "swaps.decline": frozenset({"counselor"}),
    "swaps.withdraw": frozenset({"counselor"}),
    "swaps.approvals": OPERATIONS,  # the view scopes lines
    "swaps.approve": OPERATIONS,
    "swaps.refuse": OPERATIONS,
    # Counselors (with their phones) and line settings: the views scope (hotline.desk.staffing).
    "staff.counselors": OPERATIONS,
    "staff.new_counselor": OPERATIONS,
    "staff.counselor": OPERATIONS,
    "staff.set_active": OPERATIONS,
    "staff.line_settings": OPERATIONS,
}
# Every route of these blueprints: Twilio's webhooks, signed and never behind a session.
BLUEPRINT_ROLES: dict[str, frozenset[str]] = {"voice": TWILIO, "sms": TWILIO, "api": API}


def roles_for(endpoint: str) -> frozenset[str] | None:
    found = ROUTE_ROLES.get(endpoint)
    if found is None and "." in endpoint:
        found = BLUEPRINT_ROLES.get(endpoint.split(".", 1)[0])
    return found


def init_app(app: Flask) -> None:
    app.before_request(enforce)


def enforce() -> Response | None:
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route: the 404 follows
    roles = roles_for(endpoint)
    if roles is None:
        current_app.logger.error("route %s is missing from the access table", endpoint)
        abort(404)
    if roles in (PUBLIC, TWILIO, API):
        return None
    if not current_user.is_authenticated:
        if roles & KIOSK and kiosk_screen() is not None:
            return None
        return unauthorized()
    if current_user.role not in roles:
        abort(403)
    return None
