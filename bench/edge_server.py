"""A yardstick for bench/webhooks.py: the real app and Twilio edge (signature check, form,
TwiML, every middleware) with routing replaced by a fixed decision, under the same server
settings. It shows what the edge costs and what is left for routing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import webhooks.voice
from hotline.routing.decisions import Dial, Instruction, Ring, Say
from hotline.server import serve

DECISION: list[Instruction] = [
    Say("您好，这里是慈溪市心理援助热线。正在为您接通咨询师，请不要挂机。", "zh-CN"),
    Dial((Ring("c0", "+8613900000001", screen=True),), 20, "+8657463898070", 0, 0),
]


def fixed_decision(*args: object) -> list[Instruction]:
    return DECISION


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args()
    webhooks.voice.route_incoming = fixed_decision  # type: ignore[attr-defined,assignment]
    serve("127.0.0.1", args.port, args.workers)
