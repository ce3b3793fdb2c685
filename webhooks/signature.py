"""Twilio's request signature, checked against the configured public URL.

The URL is rebuilt from HOTLINE_PUBLIC_URL + path + the raw query string, never from
`request.url`: Werkzeug decodes the query and says `http` behind a TLS proxy.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Request
from twilio.request_validator import RequestValidator, get_signature_algorithm

SIGNATURE_HEADER = "X-Twilio-Signature"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def signed_url(public_url: str, request: Request) -> str:
    query = request.query_string.decode("latin-1")
    return public_url + quote(request.path) + (f"?{query}" if query else "")


def is_signed_by_twilio(request: Request, public_url: str, tokens: tuple[str, ...]) -> bool:
    """True when the signature matches any accepted token (current first, then previous)."""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SETTINGS_HEADER))
    url = signed_url(public_url, request)
    return any(
        RequestValidator(token).validate(url, request.form, signature, algorithm)
        for token in tokens
    )
