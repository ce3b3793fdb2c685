"""Twilio's request signature, checked against the configured public URL.

The URL is rebuilt from HOTLINE_PUBLIC_URL + path + the raw query string, never from
`request.url`: Werkzeug decodes the query and says `http` behind a TLS proxy.

The rules are those of twilio's `RequestValidator.validate` (a test holds the two to the same
answers): the URL with and without its port, parameters sorted by name and their distinct values
sorted, HMAC-SHA1 with the Auth Token or the algorithm a SharedKey rule names. It is written
out here because it runs on every webhook: the port variants of the public URL are worked out
once, and a variant or a token is tried only when the one before did not match.
"""

from __future__ import annotations

import base64
import hmac
from hashlib import sha1, sha256
from urllib.parse import quote, urlparse

from flask import Request
from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, get_signature_algorithm
from werkzeug.datastructures import MultiDict

SIGNATURE_HEADER = "X-Twilio-Signature"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
_HASHES = {HMAC_SHA1: sha1, HMAC_SHA256: sha256}


def signed_url(public_url: str, request: Request) -> str:
    return public_url + _path_and_query(request)


def _path_and_query(request: Request) -> str:
    query = request.query_string.decode("latin-1")
    return quote(request.path) + (f"?{query}" if query else "")


class SignatureCheck:
    """Checks requests against the accepted tokens (current first, then the previous one)."""

    def __init__(self, public_url: str, tokens: tuple[str, ...]) -> None:
        self.keys = tuple(token.encode("utf-8") for token in tokens)
        self.bases = _port_variants(public_url)

    def accepts(self, request: Request) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature:
            return False
        digest = _HASHES.get(get_signature_algorithm(request.headers.get(SETTINGS_HEADER)).upper())
        if digest is None:
            return False  # an algorithm this version does not know: refuse rather than guess
        rest = _path_and_query(request)
        params = _signed_params(request.form)
        expected = signature.encode("utf-8")
        for base in self.bases:
            message = (base + rest + params).encode("utf-8")
            for key in self.keys:
                computed = base64.b64encode(hmac.digest(key, message, digest))
                if hmac.compare_digest(computed, expected):
                    return True
        return False


def _signed_params(form: MultiDict[str, str]) -> str:
    return "".join(
        name + value for name in sorted(form.keys()) for value in sorted(set(form.getlist(name)))
    )


def _port_variants(public_url: str) -> tuple[str, ...]:
    """The base URL as configured, without an explicit port and with the scheme's default one
    (Twilio signs HTTPS voice webhooks without the port and others with it)."""
    parsed = urlparse(public_url)
    host = parsed.netloc.rsplit(":", 1)[0] if parsed.port else parsed.netloc
    default = 443 if parsed.scheme == "https" else 80
    with_port = parsed.netloc if parsed.port else f"{parsed.netloc}:{default}"
    variants = (parsed._replace(netloc=host).geturl(), parsed._replace(netloc=with_port).geturl())
    return tuple(dict.fromkeys(variants))
