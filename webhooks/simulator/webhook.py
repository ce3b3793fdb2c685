"""Signed webhook requests as Twilio sends them (twilio-voice.md §1.1, §2.1).

Headers: `X-Twilio-Signature`, `I-Twilio-Idempotency-Token`, `User-Agent: TwilioProxy/1.1`.
A connection failure is retried once with the same token; up to 10 redirects are followed, a
301/302/303 turning into a GET that carries no parameters (a Gather's `Digits` are lost).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlencode, urljoin, urlsplit, urlunsplit

from webhooks.simulator.signature import sign_request
from webhooks.simulator.transport import HttpReply, Transport, TransportError

USER_AGENT = "TwilioProxy/1.1"
MAX_REDIRECTS = 10
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

Params = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Delivery:
    """The outcome of one webhook: the reply, or the Twilio error code of the failure."""

    url: str  # the URL that finally answered (after redirects)
    method: str
    params: tuple[tuple[str, str], ...]
    token: str
    reply: HttpReply | None
    error_code: int | None = None
    detail: str = ""


class WebhookClient:
    def __init__(
        self,
        transport: Transport,
        auth_token: str,
        *,
        new_token: Callable[[], str] | None = None,
    ) -> None:
        self.transport = transport
        self.auth_token = auth_token
        self.new_token = new_token or (lambda: secrets.token_hex(20))

    def post(self, url: str, params: Params) -> HttpReply:
        """One signed POST, no redirects followed; raises `TransportError` without a reply."""
        headers = self.headers(url, params, self.new_token())
        return self.transport.post(_sendable(url), list(params), headers)

    def headers(self, url: str, params: Params, token: str) -> dict[str, str]:
        headers = {
            "X-Twilio-Signature": sign_request(self.auth_token, _sendable(url), params),
            "I-Twilio-Idempotency-Token": token,
            "User-Agent": USER_AGENT,
        }
        user, password = _credentials(url)
        if user:
            basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {basic}"
        return headers

    def send(self, method: str, url: str, params: Params, *, token: str | None = None) -> Delivery:
        token = token or self.new_token()
        sent = tuple(params)
        for _ in range(MAX_REDIRECTS + 1):
            try:
                reply = self._with_retry(method, url, sent, token)
            except TransportError as error:
                return Delivery(url, method, sent, token, None, error.code, str(error))
            location = reply.location
            if reply.status not in _REDIRECTS or not location:
                return Delivery(url, method, sent, token, reply)
            url = urljoin(url, location)
            if reply.status in (301, 302, 303):
                method, sent = "GET", ()
        return Delivery(url, method, sent, token, None, 11215, "more than 10 redirects")

    def _with_retry(self, method: str, url: str, params: Params, token: str) -> HttpReply:
        try:
            return self._once(method, url, params, token)
        except TransportError as error:
            if error.code != 11205:
                raise
            return self._once(method, url, params, token)

    def _once(self, method: str, url: str, params: Params, token: str) -> HttpReply:
        if method == "GET":
            target = _with_query(url.partition("#")[0], params)
            return self.transport.get(_sendable(target), self.headers(target, (), token))
        return self.transport.post(_sendable(url), list(params), self.headers(url, params, token))


def _sendable(url: str) -> str:
    """The URL put on the wire: no `#fragment` (Twilio's connection overrides), no userinfo."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, ""))


def _with_query(url: str, params: Params) -> str:
    if not params:
        return url
    return f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(list(params))}"


def _credentials(url: str) -> tuple[str, str]:
    userinfo, at, _ = urlsplit(url).netloc.rpartition("@")
    if not at:
        return "", ""
    user, _, password = userinfo.partition(":")
    return unquote(user), unquote(password)
