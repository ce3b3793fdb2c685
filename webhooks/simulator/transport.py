"""How the simulator reaches the service: in-process over WSGI, or over HTTP like Twilio does."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import TYPE_CHECKING, Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit

from werkzeug.test import Client

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

Form = list[tuple[str, str]] | dict[str, str]
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
TWILIO_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class HttpReply:
    """What the service answered. `content_type` is the raw header ("" when missing)."""

    status: int
    content_type: str
    body: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def location(self) -> str | None:
        for name, value in self.headers.items():
            if name.lower() == "location":
                return value
        return None


class TransportError(Exception):
    """No HTTP reply at all. `code` is the Twilio error it maps to (11205, 11210, ...)."""

    def __init__(self, message: str, *, code: int = 11205) -> None:
        super().__init__(message)
        self.code = code


class Transport(Protocol):
    def post(self, url: str, form: Form, headers: dict[str, str]) -> HttpReply: ...

    def get(self, url: str, headers: dict[str, str]) -> HttpReply: ...


class WsgiTransport:
    """Calls a WSGI app in-process: the URL's exact path and raw query string, Host from the URL."""

    def __init__(self, app: WSGIApplication) -> None:
        self._client = Client(app, use_cookies=False)

    def post(self, url: str, form: Form, headers: dict[str, str]) -> HttpReply:
        return self._open("POST", url, urlencode(form).encode("utf-8"), headers)

    def get(self, url: str, headers: dict[str, str]) -> HttpReply:
        return self._open("GET", url, None, headers)

    def _open(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str]
    ) -> HttpReply:
        parts = urlsplit(url)
        response = self._client.open(
            parts.path or "/",
            base_url=f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}",
            query_string=parts.query,
            method=method,
            data=body,
            content_type=FORM_CONTENT_TYPE if body is not None else None,
            headers=list(headers.items()),
        )
        try:
            return HttpReply(
                status=response.status_code,
                content_type=response.headers.get("Content-Type", ""),
                body=response.get_data(as_text=True),
                headers=dict(response.headers.items()),
            )
        finally:
            response.close()


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hands 3xx replies back unfollowed: the webhook client follows them as Twilio does."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class HttpTransport:
    """Real HTTP with urllib, no proxies, no automatic redirects, Twilio's 15 s cap per request."""

    def __init__(self, timeout: float = TWILIO_TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _KeepRedirects)

    def post(self, url: str, form: Form, headers: dict[str, str]) -> HttpReply:
        body = urlencode(form).encode("utf-8")
        request = urllib.request.Request(
            url, data=body, headers={**headers, "Content-Type": FORM_CONTENT_TYPE}, method="POST"
        )
        return self._send(request)

    def get(self, url: str, headers: dict[str, str]) -> HttpReply:
        return self._send(urllib.request.Request(url, headers=headers, method="GET"))

    def _send(self, request: urllib.request.Request) -> HttpReply:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return _reply(response.status, response.headers, response.read())
        except HTTPError as error:
            with error:
                return _reply(error.code, error.headers, error.read())
        except URLError as error:
            bad_host = isinstance(error.reason, socket.gaierror)
            raise TransportError(str(error.reason), code=11210 if bad_host else 11205) from error
        except (TimeoutError, OSError) as error:
            raise TransportError(str(error) or type(error).__name__) from error


def _reply(status: int, headers: Message, body: bytes) -> HttpReply:
    charset = headers.get_content_charset() or "utf-8"
    return HttpReply(
        status=status,
        content_type=headers.get("Content-Type", ""),
        body=body.decode(charset, errors="replace"),
        headers=dict(headers.items()),
    )
