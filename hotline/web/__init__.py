"""The people's web app: sign-in, the counselor's, supervisor's and operator's pages.

`init_app` plugs in each concern: sessions, CSRF, languages, the access table, headers and
error pages, then the blueprints.
"""

from __future__ import annotations

from flask import Flask
from flask_wtf import CSRFProtect

from hotline.accounts.throttle import Throttle
from hotline.records.policy import records_policy
from hotline.runtime import runtime
from hotline.secrets_at_rest import DataKeys
from hotline.web import access, banner, i18n, security, sessions
from hotline.web.admin import admin
from hotline.web.alerts import alerts
from hotline.web.auth import auth
from hotline.web.board import board
from hotline.web.calls import calls
from hotline.web.care import care
from hotline.web.care_calls import followup
from hotline.web.cases import cases
from hotline.web.context import WebAccounts
from hotline.web.feeds import feeds
from hotline.web.operations import operations
from hotline.web.outcomes import outcomes
from hotline.web.pages import pages
from hotline.web.passwords import passwords
from hotline.web.referrals import referrals
from hotline.web.resume import resume
from hotline.web.rota_desk import rota_desk
from hotline.web.rota_edits import rota_edits
from hotline.web.shifts import shifts
from hotline.web.staff import staff
from hotline.web.statistics import stats
from hotline.web.swaps import swaps

MAX_WEB_FORM_BYTES = 64 * 1024


def init_app(app: Flask) -> CSRFProtect:
    """Returns the CSRF protection, so the app factory can exempt Twilio's signed webhooks."""
    settings = runtime(app).settings
    app.extensions["hotline.accounts"] = WebAccounts(
        Throttle(settings.secret_key.encode()), records_policy(settings), DataKeys.of(settings)
    )
    sessions.init_app(app)
    access.init_app(app)  # before CSRF: a stranger is sent to sign in, not told about tokens
    csrf = CSRFProtect(app)
    i18n.init_app(app)
    security.init_app(app)
    banner.init_app(app)
    blueprints = (
        auth,
        resume,
        pages,
        passwords,
        calls,
        outcomes,
        shifts,
        alerts,
        operations,
        admin,
        stats,
        care,
        followup,
        referrals,
        cases,
        board,
        rota_desk,
        rota_edits,
        feeds,
        swaps,
        staff,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return csrf
