"""Twilio's messaging webhooks: the delivery status of the messages the outbox sent.

Signed like the voice webhooks (403 otherwise, nothing written). Reports repeat and arrive out
of order; the service ranks them, so this answers 204 whatever it changed.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request

from hotline import clock
from hotline.outbound.delivery import record_delivery
from hotline.runtime import Runtime
from webhooks.guard import guard

log = logging.getLogger(__name__)
sms = Blueprint("sms", __name__, url_prefix="/webhooks/sms")
guard(sms)


@sms.post("/status")
def status() -> tuple[str, int]:
    reference = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    state = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    if not reference or not state:
        return "missing MessageSid or MessageStatus\n", 400
    current: Runtime = current_app.extensions["hotline"]
    code = request.form.get("ErrorCode") or None
    with current.database.write() as session:
        changed = record_delivery(
            session, reference[:64], state[:24], code, clock.now(), current.settings.public_url
        )
    if not changed:
        log.info("delivery report changed nothing (unknown, repeated or stale): %s", reference[:64])
    return "", 204
