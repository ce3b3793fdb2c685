"""What people read on the pages: names rather than keys, labelled fields, where they are."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from hotline.clock import now
from hotline.models import CallAttempt, Counselor, Hotline
from tests.hotline.web.browser import Browser

CITY, SCHOOL = "慈溪市心理援助热线", "Sunshine School Line"
HIGH_RISK = {
    "call_type": "counseling",
    "risk": "high",
    "partner": "",
    "caller_type": "",
    "age_band": "",
    "note": "",
}


def cells(html: str) -> list[str]:
    """The text of every table cell of a page."""
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", html)]


def overflowed_call(world: Any) -> int:
    """A school-line call: 何芳 declined, it overflowed to the city line, 王丽 took it there."""
    arrived = now() - timedelta(hours=1)
    call_id: int = world.call(
        "school",
        arrived,
        counselor="wang-li",
        result="overflowed",
        answered_line_id=world.ids(Hotline, "city"),
    )
    rung = [("he-fang", "school", "declined"), ("wang-li", "city", "bridged")]
    with world.database.write() as writing:
        for step, (counselor, line, result) in enumerate(rung):
            writing.add(
                CallAttempt(
                    call_id=call_id,
                    step=step,
                    round=0,
                    kind="counselor",
                    hotline_id=world.ids(Hotline, line),
                    tier=1,
                    target=counselor,
                    counselor_id=world.ids(Counselor, counselor),
                    started_at=arrived + timedelta(seconds=5 * step),
                    ended_at=arrived + timedelta(seconds=5 * step + 4),
                    result=result,
                )
            )
    return call_id


@pytest.fixture
def counselor(web_app: Flask, world: Any) -> Browser:
    browser = Browser(web_app, **{"Accept-Language": "en"})
    browser.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    return browser


@pytest.fixture
def supervisor(web_app: Flask, world: Any) -> Browser:
    browser = Browser(web_app, **{"Accept-Language": "en"})
    browser.sign_in(world.user("sue", "supervisor", hotlines=("city",)))
    return browser


def test_lines_and_counselors_are_shown_by_name_not_key(
    world: Any, counselor: Browser, supervisor: Browser
) -> None:
    call_id = overflowed_call(world)
    waiting = cells(counselor.get("/outcomes").text)
    assert SCHOOL in waiting
    assert "school" not in waiting
    assert counselor.post(f"/calls/{call_id}/outcome", HIGH_RISK).status_code == 302

    log = supervisor.get("/calls").text
    row = cells(log)[:9]
    assert [row[0], row[1], row[3], row[6]] == [str(call_id), SCHOOL, "Overflowed", "王丽"]
    alert_box = log.split('<section class="alerts">')[1].split("</section>")[0]
    assert SCHOOL in alert_box
    assert "school" not in alert_box.replace(SCHOOL, "")

    alerts = cells(supervisor.get("/alerts").text)
    assert SCHOOL in alerts
    assert "school" not in alerts

    detail = supervisor.get(f"/calls/{call_id}").text
    assert f"Overflowed → {CITY}" in detail
    rung = cells(detail.split("<tbody>")[1])
    assert [rung[1], rung[3]] == ["何芳", SCHOOL]
    assert [rung[7], rung[9]] == ["王丽", CITY]
    assert "wang-li" not in cells(detail)


def test_the_outcome_form_labels_its_selects_and_leaves_groups_to_their_legend(
    world: Any, counselor: Browser
) -> None:
    call_id: int = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    page = counselor.get(f"/calls/{call_id}/outcome").text
    for name, text in (
        ("partner", "Partner hospital (for a referral)"),
        ("caller_type", "Who called"),
        ("age_band", "Age band"),
    ):
        assert f'<label for="{name}">{text}</label>' in page
    for group in ("call_type", "topics", "risk", "actions"):
        assert f'<label for="{group}">' not in page


def test_the_navigation_marks_the_current_page_and_names_the_account_link(
    world: Any, supervisor: Browser
) -> None:
    call_id: int = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    log = supervisor.get("/calls").text
    assert '<a href="/calls" class="current" aria-current="page">Call log</a>' in log
    assert '<a href="/alerts">Alerts</a>' in log
    assert "/operations/" not in log
    detail = supervisor.get(f"/calls/{call_id}").text
    assert '<a href="/calls" class="current" aria-current="true">Call log</a>' in detail
    account = supervisor.get("/account").text
    assert '<a href="/account" class="account current" aria-current="page"' in account
    assert '<span class="who">sue</span> <span class="what">My account</span>' in account


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "zh_CN",
            "结果已保存。该来电已标记，给热线督导的警报已排队等待发送（2 条消息）；"
            "在有人确认之前会逐级升级通知。",
        ),
        (
            "en",
            "Outcome saved. The call is flagged; the line&#39;s supervisors&#39; alert is queued "
            "(2 messages); it escalates until someone acknowledges it.",
        ),
    ],
)
def test_the_saved_outcome_message_joins_its_sentences_as_the_language_does(
    world: Any, counselor: Browser, language: str, message: str
) -> None:
    world.user("sue", "supervisor", hotlines=("city",), phone="+8613900000099", email="s@x.cn")
    counselor.post("/account/language", {"language": language}, token_from="/account")
    call_id: int = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    path = f"/calls/{call_id}/outcome"
    assert counselor.post(path, HIGH_RISK).status_code == 302
    assert f'<p class="notice">{message}</p>' in counselor.get("/outcomes").text


def test_the_saved_outcome_message_says_when_nobody_could_be_messaged(
    world: Any, counselor: Browser
) -> None:
    call_id: int = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    path = f"/calls/{call_id}/outcome"
    assert counselor.post(path, HIGH_RISK).status_code == 302
    page = counselor.get("/outcomes").text
    assert "no supervisor of this line has a phone or e-mail" in page
    assert "escalates to operators" in page


def test_lowering_the_risk_says_how_many_unsent_alert_messages_were_cancelled(
    world: Any, counselor: Browser
) -> None:
    world.user("sue", "supervisor", hotlines=("city",), phone="+8613900000099")
    call_id: int = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    path = f"/calls/{call_id}/outcome"
    assert counselor.post(path, HIGH_RISK).status_code == 302
    assert counselor.post(path, {**HIGH_RISK, "risk": "moderate"}).status_code == 302
    page = counselor.get("/outcomes").text
    expected = "The risk is below high now: 1 unsent alert message was cancelled."
    assert f'<p class="notice">Outcome saved. {expected}</p>' in page


@pytest.mark.parametrize(
    ("language", "joined"),
    [("zh_CN", "家庭矛盾、欺凌"), ("en", "Family conflict, Bullying")],
)
def test_a_list_of_topics_is_joined_as_the_language_writes_lists(
    world: Any, counselor: Browser, language: str, joined: str
) -> None:
    counselor.post("/account/language", {"language": language}, token_from="/account")
    call_id: int = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    outcome = {**HIGH_RISK, "risk": "low", "topics": ["family-conflict", "bullying"]}
    assert counselor.post(f"/calls/{call_id}/outcome", outcome).status_code == 302
    assert joined in counselor.get(f"/calls/{call_id}").text
