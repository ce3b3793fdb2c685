"""Every page in Chinese, for every role, with every form sent wrong: no English text of the
catalogue (ours or WTForms') is left untranslated, and the services' refusals are said too."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask import Flask, url_for

from hotline.clock import now
from hotline.translations.build import extracted
from hotline.translations.zh_CN import ZH_CN
from hotline.web.access import roles_for
from tests.hotline.web.browser import Browser

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
OUTCOME = {"call_type": "counseling", "risk": "low", "caller_type": "", "age_band": "", "note": ""}


def english_fragments() -> list[str]:
    """Pieces of English (two words or more) of every text that has a Chinese translation."""
    ours = {m if isinstance(m, str) else m[0] for m in extracted()}
    translated = {key for key in ours if ZH_CN[key] != key}
    locale = Path(wtforms.__file__).parent / "locale" / "zh" / "LC_MESSAGES" / "wtforms.po"
    with locale.open("rb") as po:
        theirs = {m.id for m in read_po(po) if isinstance(m.id, str) and m.id and m.string}
    pieces = {
        piece.strip()
        for text in translated | theirs
        for piece in re.split(r"%\(\w+\)[sd]|%[sd]", text)
    }
    return sorted(p for p in pieces if " " in p and len(p) >= 10)


ENGLISH = english_fragments()


def visible(page: str) -> str:
    text = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(text))


def untranslated(page: str) -> list[str]:
    text = visible(page)
    return [piece for piece in ENGLISH if piece in text]


def get_pages(app: Flask, browser: Browser, role: str, args: dict[str, Any]) -> Iterator[str]:
    """Every page this role may open (GET), with the ids of records of the world."""
    with app.test_request_context():
        rules = [r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())]
        paths = [
            url_for(r.endpoint, **{name: args[name] for name in r.arguments})
            for r in rules
            if role in (roles_for(r.endpoint) or ()) and set(r.arguments) <= set(args)
        ]
    for path in paths:
        yield browser.get(path, follow_redirects=True).text


@pytest.fixture
def world_ids(world: Any) -> dict[str, Any]:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    users = {
        "admin": world.user("ada", "admin"),
        "supervisor": world.user("sue", "supervisor", hotlines=("city",)),
        "operator": world.user("otto", "operator"),
        "counselor": world.user("wang", "counselor", counselor="wang-li"),
    }
    return {"call_id": call_id, "users": users}


@pytest.mark.parametrize("role", ["admin", "supervisor", "operator", "counselor"])
def test_every_page_of_every_role_is_chinese(
    web_app: Flask, world_ids: dict[str, Any], role: str
) -> None:
    browser = Browser(web_app, **ZH)
    assert browser.sign_in(world_ids["users"][role]).status_code == 302
    other = world_ids["users"]["counselor" if role == "admin" else "admin"]["id"]
    args = {"call_id": world_ids["call_id"], "user_id": other}
    for page in get_pages(web_app, browser, role, args):
        assert untranslated(page) == []


def test_the_call_logs_refused_filters_are_chinese(
    web_app: Flask, world_ids: dict[str, Any]
) -> None:
    browser = Browser(web_app, **ZH)
    browser.sign_in(world_ids["users"]["supervisor"])
    page = browser.get("/calls?start=2026-13-45&risk=bogus&page=0").text
    assert "不是有效的日期值" in page
    assert "不是有效的选择" in page
    assert "数值大小必须介于 1 到 100000 之间" in page
    assert untranslated(page) == []


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        ({"actions": "referral", "partner": ""}, "转介需要选择合作医院"),
        ({"actions": "support", "partner": "kangning"}, "只有选择“转介”时才需选择合作医院"),
        ({"risk": "extreme", "partner": ""}, "不是有效的选择"),
        ({"note": "回电\x07给我"}, "备注中含有无法保存的字符"),
    ],
    ids=["referral-without-partner", "partner-without-referral", "unknown-risk", "bad-note"],
)
def test_a_refused_outcome_is_said_in_chinese(
    web_app: Flask, world_ids: dict[str, Any], sent: dict[str, str], said: str
) -> None:
    browser = Browser(web_app, **ZH)
    browser.sign_in(world_ids["users"]["counselor"])
    answer = browser.post(f"/calls/{world_ids['call_id']}/outcome", {**OUTCOME, **sent})
    assert answer.status_code == 400
    assert said in answer.text
    assert untranslated(answer.text) == []


def test_forms_sent_wrong_and_pages_without_a_session_are_chinese(
    web_app: Flask, world_ids: dict[str, Any]
) -> None:
    admin = Browser(web_app, **ZH)
    admin.sign_in(world_ids["users"]["admin"])
    bad_user = {"username": "9x", "role": "counselor", "phone": "123", "email": "a@"}
    wrong_password = {"current": "nope-nope", "password": "short", "repeat": "other"}
    pages = [
        admin.post("/admin/users/new", bad_user).text,
        admin.post("/account/password", wrong_password).text,
        admin.post("/account", {"quiet_start": "22:00", "quiet_end": ""}).text,
    ]
    stranger = Browser(web_app, **ZH)
    call = f"/calls/{world_ids['call_id']}/outcome"
    pages.append(stranger.client.post(call, data=OUTCOME, headers=ZH).text)
    pages.append(stranger.client.post("/alerts/1/acknowledge", headers=ZH).text)
    pages.append(stranger.get("/password/set?token=made-up").text)
    assert "请先登录" in pages[-2]
    for page in pages:
        assert untranslated(page) == []
