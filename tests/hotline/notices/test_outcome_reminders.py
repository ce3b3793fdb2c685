"""`outcome-reminders`: a taken call without an outcome, to its counselor at 2 h, to the
supervisors at 24 h, once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotline.jobs.env import JobEnv
from hotline.jobs.outcome_reminders import outcome_reminders
from hotline.models import CallOutcome, Counselor, Hotline
from tests.conftest import RecordsWorld
from tests.hotline.notices.told import told

ARRIVED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
ENDED = ARRIVED + timedelta(minutes=10)  # as the world makes its calls
MINUTE = timedelta(minutes=1)


def staff(world: RecordsWorld) -> dict[str, str]:
    made = {
        "wang": world.user("wang", "counselor", counselor="wang-li", email="wang@example.org"),
        "sue": world.user("sue", "supervisor", hotlines=("city",), phone="+8613900000099"),
        "tom": world.user("tom", "supervisor", hotlines=("school",), phone="+447911123498"),
    }
    return {name: f"user-{user['id']}" for name, user in made.items()}


def test_the_counselor_is_reminded_once_two_hours_after_the_call_ended(
    env: JobEnv, world: RecordsWorld
) -> None:
    staff(world)
    call = world.call("city", ARRIVED, counselor="wang-li")
    wang_li = world.ids(Counselor, "wang-li")

    early = outcome_reminders(env, ENDED + 2 * timedelta(hours=1) - MINUTE)
    due = outcome_reminders(env, ENDED + 2 * timedelta(hours=1))
    again = outcome_reminders(env, ENDED + 2 * timedelta(hours=1))
    later = outcome_reminders(env, ENDED + 5 * timedelta(hours=1))

    assert early == {"reminded": 0, "overdue": 0}
    assert due == {"reminded": 2, "overdue": 0}  # a text to the phone, an e-mail to the account
    assert again == later == {"reminded": 0, "overdue": 0}
    messages = told(env.database, "outcome-reminder")
    assert {(t.key, t.address) for t in messages} == {
        (f"outcome-reminder:{call}:counselor-{wang_li}:sms", "+8613900000001"),
        (f"outcome-reminder:{call}:counselor-{wang_li}:email", "wang@example.org"),
    }
    assert not any(t.urgent for t in messages)
    # The account chose no language: the line's. The link is the call's outcome form.
    assert messages[0].body == (
        f"【热线】您在 慈溪市心理援助热线 接听的来电 #{call}（12-01 10:00）尚未填写结果："
        f"https://hotline.example.org/calls/{call}/outcome"
    )


def test_the_line_supervisors_are_told_once_24_hours_after_the_call_ended(
    env: JobEnv, world: RecordsWorld
) -> None:
    refs = staff(world)
    call = world.call("city", ARRIVED, counselor="wang-li")
    outcome_reminders(env, ENDED + timedelta(hours=2))

    early = outcome_reminders(env, ENDED + timedelta(hours=24) - MINUTE)
    due = outcome_reminders(env, ENDED + timedelta(hours=24))
    again = outcome_reminders(env, ENDED + timedelta(hours=30))

    assert early == {"reminded": 0, "overdue": 0}
    assert due == {"reminded": 0, "overdue": 1}
    assert again == {"reminded": 0, "overdue": 0}
    (message,) = told(env.database, "outcome-overdue")
    assert (message.key, message.urgent) == (f"outcome-overdue:{call}:{refs['sue']}:sms", False)
    assert message.body.endswith(f"https://hotline.example.org/calls/{call}")
    assert len(told(env.database, "outcome-reminder")) == 2  # the counselor's, still only once


def test_a_counselor_without_an_account_gets_a_text_in_the_line_language(
    env: JobEnv, world: RecordsWorld
) -> None:
    call = world.call("school", ARRIVED, counselor="he-fang")

    assert outcome_reminders(env, ENDED + timedelta(hours=2)) == {"reminded": 1, "overdue": 0}
    (message,) = told(env.database, "outcome-reminder")
    assert (message.channel, message.address) == ("sms", "+8613900000011")
    assert message.body == (
        f"[Hotline] Call #{call} you took on Sunshine School Line (12-01 02:00) has no outcome "
        f"yet: https://hotline.example.org/calls/{call}/outcome"
    )


def test_a_call_still_without_an_end_counts_from_its_arrival(
    env: JobEnv, world: RecordsWorld
) -> None:
    world.call("school", ARRIVED, counselor="he-fang", ended_at=None)

    assert outcome_reminders(env, ARRIVED + timedelta(hours=2))["reminded"] == 1


def test_calls_with_an_outcome_not_taken_or_older_than_a_week_remind_nobody(
    env: JobEnv, world: RecordsWorld
) -> None:
    staff(world)
    recorded = world.call("city", ARRIVED, counselor="wang-li")
    with world.database.write() as writing:
        writing.add(
            CallOutcome(
                call_id=recorded,
                counselor_id=world.ids(Counselor, "wang-li"),
                call_type="counseling",
                topics=[],
                risk="low",
                actions=[],
                recorded_at=ENDED,
                updated_at=ENDED,
            )
        )
    world.call("city", ARRIVED)  # missed: nobody took it
    world.call("city", ARRIVED - timedelta(days=7, minutes=1), counselor="wang-li")

    assert outcome_reminders(env, ARRIVED + timedelta(days=2)) == {"reminded": 0, "overdue": 0}


def test_an_overflowed_call_is_told_to_the_supervisors_of_both_lines(
    env: JobEnv, world: RecordsWorld
) -> None:
    refs = staff(world)
    world.call(
        "school",
        ARRIVED,
        counselor="wang-li",
        result="overflowed",
        answered_line_id=world.ids(Hotline, "city"),
    )

    outcome_reminders(env, ENDED + timedelta(hours=24))

    assert {t.recipient for t in told(env.database, "outcome-overdue")} == {
        refs["sue"],
        refs["tom"],
    }
