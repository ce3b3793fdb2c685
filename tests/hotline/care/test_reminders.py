"""The consented reminder: opened only to send, erased once sent or cancelled, re-sealed by a
key rotation, and erased first by the retention purge."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select, update

from hotline.care.booking import release_booking
from hotline.cli import cli
from hotline.cli.context import Services
from hotline.jobs.env import JobEnv
from hotline.jobs.retention import retention_purge
from hotline.models import Booking, OutboxMessage
from hotline.outbound.delivery import record_delivery
from hotline.outbound.port import Outbound
from hotline.outbound.sealed import open_address
from hotline.outbound.sending import Sender, send_due
from hotline.secrets_at_rest import DataKeys
from settings import Settings
from tests.conftest import TEST_ENV
from tests.hotline.care.conftest import CANARY, NOW, Care
from tests.hotline.jobs.fakes import FakeSms

OLD_KEY = TEST_ENV["HOTLINE_DATA_KEY"]  # v3
NEW_KEY = "v4:" + "6f" * 32


def sender(care: Care, sms: FakeSms, keys: DataKeys | None) -> Sender:
    return Sender(care.database, Outbound(sms, None), "https://hotline.example.org", 20, keys)


def test_the_reminder_waits_for_the_day_before_then_goes_to_the_number_which_is_erased(
    care: Care,
) -> None:
    care.book(care.call(), care.session("2027-03-03T14:00"), CANARY, consent=True)
    sms = FakeSms()
    assert send_due(sender(care, sms, care.keys), NOW) == {}
    [waiting] = care.reminders()
    done = send_due(sender(care, sms, care.keys), waiting.due_at)
    assert done == {"sent": 1}
    assert [(m.to, m.body) for m in sms.sent] == [(CANARY, waiting.body)]
    [sent] = care.reminders()
    assert sent.state == "sent"
    assert sent.address is None


def test_a_reminder_whose_number_no_key_opens_is_refused_and_its_number_erased(
    care: Care,
) -> None:
    care.book(care.call(), care.session(), CANARY, consent=True)
    [waiting] = care.reminders()
    sms = FakeSms()
    assert send_due(sender(care, sms, None), waiting.due_at) == {"undeliverable": 1}
    assert sms.sent == []
    [refused] = care.reminders()
    assert refused.address is None
    assert "sealed address" in (refused.error or "")


def test_cancelling_the_booking_cancels_the_reminder_and_erases_the_number(care: Care) -> None:
    care.book(care.call(), care.session(), CANARY, consent=True)
    with care.database.write() as db:
        booking = db.scalar(select(Booking))
        assert booking is not None
        release_booking(db, booking, NOW, state="cancelled")
    [cancelled] = care.reminders()
    assert cancelled.state == "cancelled"
    assert cancelled.address is None


def keyed(current: str, previous: str | None = None) -> Settings:
    env = {**TEST_ENV, "HOTLINE_DATA_KEY": current, "HOTLINE_DATA_KEY_PREVIOUS": previous or ""}
    return Settings.from_env(env)


def test_keys_rotate_reseals_the_waiting_reminder_numbers_with_the_new_key(care: Care) -> None:
    care.book(care.call(), care.session(), CANARY, consent=True)
    [before] = care.reminders()
    services = Services(keyed(NEW_KEY, OLD_KEY), care.database)
    rotated = CliRunner().invoke(cli, ["keys", "rotate"], obj=services)
    assert rotated.exit_code == 0, rotated.output
    assert "care reminder contacts: 1 re-encrypted, 0 already current, 0 unreadable" in (
        rotated.stdout
    )
    [after] = care.reminders()
    assert after.address is not None
    assert after.address.startswith("v4:")
    assert open_address(DataKeys.of(keyed(NEW_KEY)), after.id, after.address) == CANARY
    assert open_address(DataKeys.of(keyed(NEW_KEY)), before.id, before.address) is None
    again = CliRunner().invoke(cli, ["keys", "rotate"], obj=services)
    assert "care reminder contacts: 0 re-encrypted, 1 already current" in again.stdout


def test_the_purge_erases_a_reminder_number_left_unsent_a_day_past_its_time(
    care: Care, settings: Settings
) -> None:
    care.book(care.call(), care.session(), CANARY, consent=True)
    [waiting] = care.reminders()
    env = JobEnv(care.database, settings, Outbound(FakeSms(), None))
    done = retention_purge(env, waiting.due_at + timedelta(hours=1))
    assert care.reminders()[0].address is not None  # still of use: the sender may be late
    done = retention_purge(env, waiting.due_at + timedelta(hours=25))
    assert done["deleted"]["care_contacts"] == 1
    [stale] = care.reminders()
    assert stale.state == "cancelled"
    assert stale.address is None
    with care.database.read() as db:
        assert (
            db.scalar(select(OutboxMessage.address).where(OutboxMessage.address.is_not(None)))
            is None
        )


def reminder_links(care: Care) -> list[str | None]:
    """The bookings' links to their reminders, in the order the bookings were made."""
    with care.database.read() as db:
        return list(db.scalars(select(Booking.reminder_key).order_by(Booking.id)))


def test_an_undelivered_report_after_sending_finishes_the_reminder_instead_of_requeuing_it(
    care: Care,
) -> None:
    """Its number was erased once sent: back in the queue it could only fail as unaddressed."""
    care.book(care.call(), care.session(), CANARY, consent=True)
    [waiting] = care.reminders()
    sms = FakeSms()
    assert send_due(sender(care, sms, care.keys), waiting.due_at) == {"sent": 1}
    [sent] = care.reminders()
    later = waiting.due_at + timedelta(minutes=5)
    with care.database.write() as db:
        assert sent.provider_ref is not None
        url = "https://hotline.example.org"
        assert record_delivery(db, sent.provider_ref, "undelivered", "30003", later, url)
    [finished] = care.reminders()
    assert (finished.state, finished.finished_at) == ("failed", later)
    assert finished.delivery_status == "undelivered"
    assert "not sent again: its number was erased" in (finished.error or "")
    assert finished.address is None
    assert send_due(sender(care, sms, care.keys), later + timedelta(hours=2)) == {}
    assert len(sms.sent) == 1


def test_a_bookings_link_to_its_reminder_lasts_only_while_the_reminder_may_still_go(
    care: Care, settings: Settings
) -> None:
    held, call = care.session(capacity=5), care.call()
    for _ in range(3):
        care.book(call, held, CANARY, consent=True)
    sent, cancelled, stale = keys = reminder_links(care)
    assert None not in keys  # pending: each can still be cancelled
    [due] = {message.due_at for message in care.reminders()}
    earlier = due - timedelta(days=1)  # the first is made due before the others
    with care.database.write() as db:
        db.execute(update(OutboxMessage).where(OutboxMessage.key == sent).values(due_at=earlier))
    assert send_due(sender(care, FakeSms(), care.keys), earlier) == {"sent": 1}
    assert reminder_links(care) == [None, cancelled, stale]  # sent
    with care.database.write() as db:
        booking = db.scalar(select(Booking).where(Booking.reminder_key == cancelled))
        assert booking is not None
        release_booking(db, booking, NOW, state="cancelled")
        assert booking.reminder_key is None
    assert reminder_links(care) == [None, None, stale]  # cancelled
    env = JobEnv(care.database, settings, Outbound(FakeSms(), None))
    retention_purge(env, due + timedelta(hours=25))
    assert reminder_links(care) == [None, None, None]  # left unsent, cancelled by the purge
    assert {m.state for m in care.reminders()} == {"sent", "cancelled"}
