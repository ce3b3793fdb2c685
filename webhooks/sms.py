"""Twilio's messaging webhooks: texts that come in, and the delivery status of the messages
the outbox sent.

Signed like the voice webhooks (403 otherwise, nothing written). Delivery reports repeat and
arrive out of order; the service ranks them, so this answers 204 whatever it changed.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from hotline import clock
from hotline.inbound import (
    InboundFailed,
    answer_text,
    is_reminder_sender,
    reply_without_database,
)
from hotline.outbound.delivery import record_delivery
from hotline.runtime import runtime
from webhooks import forms
from webhooks.guard import guard

log = logging.getLogger(__name__)
sms = Blueprint("sms", __name__, url_prefix="/webhooks/sms")
guard(sms)


@sms.post("/incoming")
def incoming() -> Response:
    """A reply to a line's number always: whoever texts may be in crisis, so a failure still
    tells where to call. None to a stranger's reply to the outbox's sender (an appointment
    reminder's neutral number): an empty `<Response/>`."""
    current = runtime()
    text, fallback = forms.incoming_text(request.form), current.settings.fallback_number
    quiet = is_reminder_sender(text.to, text.messaging_service, current.settings.sms_from)
    try:
        with current.database.write() as session:
            current.lines.current(session)  # kept fresh for when the database is gone
            answer = answer_text(
                session,
                text.to,
                text.sender,
                text.body,
                clock.now(),
                fallback_number=fallback,
                to_reminder_sender=quiet,
            )
    except Exception as exc:  # its text may carry the sender: only its kind is logged
        failure = str(exc) if isinstance(exc, InboundFailed) else type(exc).__name__
        log.error("an incoming text was answered without the database: %s", failure)
        last = current.lines.last_known()
        answer = reply_without_database(last, text.to, fallback, to_reminder_sender=quiet)
    document = MessagingResponse()
    if answer is not None:
        document.message(answer)
    return Response(str(document), status=200, content_type="text/xml; charset=utf-8")


@sms.post("/status")
def status() -> tuple[str, int]:
    reference = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    state = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    if not reference or not state:
        return "missing MessageSid or MessageStatus\n", 400
    current = runtime()
    code = request.form.get("ErrorCode") or None
    with current.database.write() as session:
        changed = record_delivery(
            session, reference[:64], state[:24], code, clock.now(), current.settings.public_url
        )
    if not changed:
        log.info("delivery report changed nothing (unknown, repeated or stale): %s", reference[:64])
    return "", 204
