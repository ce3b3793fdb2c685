"""What every Twilio webhook checks first: the body's size, then Twilio's signature (403)."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, request
from flask.blueprints import BlueprintSetupState

from hotline.runtime import runtime
from webhooks.signature import SignatureCheck

log = logging.getLogger(__name__)
_SIGNATURE = "hotline.signature"


def guard(blueprint: Blueprint) -> None:
    """Check every request of `blueprint` before its view runs."""
    blueprint.record_once(_prepare_signature_check)
    blueprint.before_request(require_twilio_signature)


def _prepare_signature_check(state: BlueprintSetupState) -> None:
    if _SIGNATURE not in state.app.extensions:
        settings = runtime(state.app).settings
        state.app.extensions[_SIGNATURE] = SignatureCheck(settings.public_url, settings.auth_tokens)


def require_twilio_signature() -> None:
    if (request.content_length or 0) > (current_app.config["MAX_CONTENT_LENGTH"] or 0):
        abort(413)  # before anything reads the body
    if not current_app.extensions[_SIGNATURE].accepts(request):
        runtime().counters.rejected_signatures += 1
        log.warning("rejected a request without a valid Twilio signature: %s", request.path)
        abort(403)
