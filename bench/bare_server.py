"""The yardstick for bench/webhooks.py: a bare Flask endpoint returning a fixed TwiML, served
with exactly the server settings of `hotline serve`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flask import Flask, Response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotline.server import serve

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" '
    'callerId="+8657463898070" timeout="20"><Number>+8613900000001</Number></Dial></Response>'
)


def create_bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/webhooks/voice/incoming")
    def incoming() -> Response:
        return Response(TWIML, content_type="text/xml; charset=utf-8")

    @app.get("/healthz")
    def healthz() -> str:
        return "ok\n"

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    serve("127.0.0.1", args.port, args.workers, args.threads, factory=create_bare_app)
