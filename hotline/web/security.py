"""Security headers on every page (not on the webhooks Twilio reads), and generic error pages
(no traces, no echoed input)."""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from hotline.web.sessions import is_machine_path

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin: our own POSTs keep their Referer, which CSRF checks over HTTPS need.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
ERROR_CODES = (400, 401, 403, 404, 405, 413, 429, 500)
API_PREFIX = "/api/"
JSON = "application/json"


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
    for code in ERROR_CODES:
        app.register_error_handler(code, error_page)


def add_headers(response: Response) -> Response:
    if is_machine_path(current_app, request):
        return response  # Twilio reads TwiML, not pages: browser policies mean nothing to it
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.headers.get("Cache-Control") is None and request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"  # call data never lands in a cache
    if request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def error_page(error: Exception) -> tuple[str, int] | Response:
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    if isinstance(error, InternalServerError) or code == 500:
        code = 500
    if request.blueprint in ("voice", "sms"):  # Twilio's side: plain text, as the webhooks answer
        return Response(f"{code}\n", code, content_type="text/plain")
    if request.path.startswith(API_PREFIX):  # other systems read JSON, even for a wrong path
        name = error.name if isinstance(error, HTTPException) and code != 500 else "error"
        return Response(json.dumps({"error": name.lower()}), code, content_type=JSON)
    return render_template("error.html", code=code), code
