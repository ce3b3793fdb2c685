"""A provider plugged in by `HOTLINE_SMS_PROVIDER` for the crash test: it notes each text it is
handed in a file, then hangs (the test kills the process while it does)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hotline.outbound.port import Accepted, Sms
from settings import Settings


class HangingSms:
    def __init__(self, log: Path) -> None:
        self.log = log

    def send_sms(self, message: Sms) -> Accepted:
        with self.log.open("a", encoding="utf-8") as out:
            out.write(message.to + "\n")
        time.sleep(60)  # killed long before this ends
        return Accepted("SM-never", "queued")


def make(settings: Settings) -> HangingSms:
    return HangingSms(Path(os.environ["HOTLINE_TEST_SMS_LOG"]))
