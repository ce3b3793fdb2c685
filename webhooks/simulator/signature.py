"""`X-Twilio-Signature` computed the way Twilio does (twilio-voice.md §2.1).

Written from the documented algorithm, independently of the twilio SDK's validator, so the tests
can cross-check one against the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

Params = Sequence[tuple[str, str]] | Mapping[str, str]


def signing_url(url: str, *, drop_https_port: bool = True) -> str:
    """The URL as Twilio signs it: without `user:pass@` and `#fragment`.

    An explicit port is dropped for https (Twilio signs voice webhooks without it) and kept
    for http; the query string is kept byte for byte, never re-sorted or decoded.
    """
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if drop_https_port and parts.scheme.lower() == "https":
        host = _without_port(host)
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def compute_signature(auth_token: str, url: str, params: Params = ()) -> str:
    """Base64 HMAC-SHA1 of `url` followed by name+value of every parameter sorted by name.

    `url` is used exactly as given (see `signing_url`). A GET request signs the URL alone:
    pass no params. Sorting is by code point, which is UTF-8 byte order.
    """
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    payload = url + "".join(name + value for name, value in sorted(items))
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_request(auth_token: str, url: str, params: Params = ()) -> str:
    """The `X-Twilio-Signature` header for a request to `url` carrying `params`."""
    return compute_signature(auth_token, signing_url(url), params)


def _without_port(host: str) -> str:
    if host.startswith("["):  # IPv6 literal: [::1]:443
        return host.partition("]")[0] + "]"
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host
