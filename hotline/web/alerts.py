"""The alerts page: open high-risk alerts, who was told when, and one-click acknowledgement.

Supervisors and administrators reach the call from it; operators see no clinical detail.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from hotline import clock
from hotline.alerts.risk import acknowledge as acknowledge_alert
from hotline.alerts.views import open_alerts
from hotline.web import labels
from hotline.web.context import audited, database, me, viewer
from hotline.web.forms import ButtonForm

alerts = Blueprint("alerts", __name__)


@alerts.get("/alerts", endpoint="list")
def listing() -> str:
    now, who = clock.now(), viewer()
    with database().write() as db:
        found = open_alerts(db, who, now)
        audited(db, now, "alerts.list", detail={"calls": [alert.call_id for alert in found]})
    return render_template("alerts.html", alerts=found, button=ButtonForm(), labels=labels.ALL)


@alerts.post("/alerts/<int:alert_id>/acknowledge")
def acknowledge(alert_id: int) -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    now = clock.now()
    with database().write() as db:
        alert = acknowledge_alert(db, alert_id, int(me().id), viewer(), now)
        if alert is None:
            abort(404)
        # A second click (or a colleague's) finds it settled: audited, nothing changes.
        changed = alert.acknowledged_at == now
        detail = {"call": alert.call_id, "changed": changed}
        audited(db, now, "alerts.acknowledge", target=str(alert_id), detail=detail)
    if changed:
        flash(_("Alert #%(id)s acknowledged.", id=alert_id))
    else:
        flash(
            _("Alert #%(id)s was already acknowledged or cancelled; nothing changed.", id=alert_id)
        )
    if request.args.get("back") == "call":  # the button on the call's page
        return redirect(url_for("calls.detail", call_id=alert.call_id))
    return redirect(url_for("alerts.list"))
