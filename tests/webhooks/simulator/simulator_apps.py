"""Small fixed-TwiML Flask apps for the simulator's tests (never the hotline service).

Each app answers per path, records what it received, and checks every signature with the
twilio SDK's own validator, rebuilding the URL as a service behind a public base URL must.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

from webhooks.simulator import Simulator, WsgiTransport

TOKEN = "test-auth-token"
BASE = "https://hotline.example.org"
CALLER = "+8613900000009"
LINE = "+8657463898070"


@dataclass(frozen=True)
class Answer:
    body: str
    status: int = 200
    content_type: str | None = "text/xml"
    headers: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[Mapping[str, str]], Answer | str]
Route = Answer | str | Handler


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    form: dict[str, str]
    headers: dict[str, str]
    signature_valid: bool


def twiml(*verbs: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(verbs) + "</Response>"


@dataclass
class TwimlApp:
    """`routes` maps a path to TwiML (str), an `Answer`, or a function of the request values."""

    routes: Mapping[str, Route]
    public_base: str = BASE  # what the service believes its public URL is
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = Flask(__name__)
        self.app.add_url_rule("/<path:path>", "any", self._view, methods=["GET", "POST"])

    def simulator(self, **kwargs: str) -> Simulator:
        """A number whose voice, fallback and status URLs are the three contract paths."""
        urls = {
            "voice_url": f"{BASE}/voice",
            "fallback_url": f"{BASE}/fallback",
            "status_callback_url": f"{BASE}/status",
            **kwargs,
        }
        return Simulator(
            WsgiTransport(self.app),
            TOKEN,
            urls["voice_url"],
            status_callback_url=urls["status_callback_url"] or None,
            fallback_url=urls["fallback_url"] or None,
        )

    def to(self, path: str) -> list[Received]:
        return [seen for seen in self.received if seen.path == path]

    def _view(self, path: str) -> Response:
        query = request.query_string.decode("latin-1")
        url = self.public_base + quote(request.path) + (f"?{query}" if query else "")
        signature = request.headers.get("X-Twilio-Signature", "")
        valid = bool(RequestValidator(TOKEN).validate(url, request.form, signature))
        form = dict(request.form.items())
        headers = dict(request.headers.items())
        self.received.append(Received(request.method, request.path, query, form, headers, valid))
        route = self.routes.get(request.path)
        if route is None:
            return Response(twiml(), 204 if request.path == "/status" else 404)
        answer = route({**request.args.to_dict(), **form}) if callable(route) else route
        if isinstance(answer, str):
            answer = Answer(answer)
        response = Response(answer.body, answer.status, headers=dict(answer.headers))
        if answer.content_type is None:
            del response.headers["Content-Type"]
        else:
            response.headers["Content-Type"] = answer.content_type
        return response
