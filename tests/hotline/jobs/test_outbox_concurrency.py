"""Two senders at once (two schedulers, or one and an operator's `jobs run`) on real commits:
every message goes out exactly once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from hotline.db import Database
from hotline.migrate import upgrade
from hotline.outbound.outbox import Recipient
from hotline.outbound.port import Outbound
from hotline.outbound.sending import Sender, send_due
from tests.conftest import ENGINES, FreshDatabases
from tests.hotline.jobs.fakes import FakeSms
from tests.hotline.jobs.test_outbox_sending import NOW, queue


@pytest.mark.parametrize("kind", ENGINES)
def test_two_senders_at_once_send_each_message_once(
    kind: str, fresh_databases: FreshDatabases
) -> None:
    database = Database.from_url(fresh_databases.url(kind))
    try:
        upgrade(database.engine)
        people = [Recipient(f"user-{n}", "en", f"+44770090{n:04d}", None) for n in range(150)]
        queue(database, "storm", *people)
        sms = FakeSms()
        sender = Sender(database, Outbound(sms, None), "https://hotline.example.org", 20)
        start = threading.Barrier(2)

        def run() -> None:
            start.wait()
            send_due(sender, NOW)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        sent = Counter(m.to for m in sms.sent)
        assert len(sent) == 150
        assert set(sent.values()) == {1}
    finally:
        database.dispose()
