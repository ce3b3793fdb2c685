"""The live board: who is on duty and busy, the calls live now (never who called), the next gap,
shifts not confirmed; a kiosk signed in with a board code sees the board and nothing else."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import update

from hotline.clock import now
from hotline.models import Counselor
from tests.hotline.web.browser import Browser

CANARY = "+8613800138000"


def _signed_in(web_app: Flask, world: Any, role: str = "operator") -> Browser:
    user = world.user(f"board-{role}", role)
    browser = Browser(web_app)
    assert browser.sign_in(user).status_code == 302
    return browser


def _state(browser: Browser, line: str = "") -> dict[str, Any]:
    answer = browser.get(f"/board/state?line={line}" if line else "/board/state")
    assert answer.status_code == 200
    found: dict[str, Any] = answer.get_json()
    return found


def test_the_board_shows_who_is_on_duty_on_each_line(web_app: Flask, world: Any) -> None:
    state = _state(_signed_in(web_app, world))
    lines = {line["key"]: line for line in state["lines"]}
    assert [p["counselor"] for p in lines["city"]["tiers"][0]] == ["wang-li", "li-na"]
    assert [p["state"] for p in lines["city"]["tiers"][0]] == ["free", "free"]
    assert lines["city"]["next_gap"] is None
    assert lines["city"]["calls"] == []


def test_a_ringing_call_shows_its_line_state_and_duration_and_nothing_of_the_caller(
    web_app: Flask, world: Any
) -> None:
    browser = _signed_in(web_app, world)
    arrived = now() - timedelta(seconds=40)
    world.call("city", arrived, ended_at=None, status="ringing", result="routing",
               caller="v2:CANARYCANARYCANARYCANARY00", call_sid="CAringing")  # fmt: skip
    with world.database.write() as db:
        db.execute(
            update(Counselor)
            .where(Counselor.key == "wang-li")
            .values(busy_call_sid="CAringing", busy_until=now() + timedelta(seconds=30))
        )
    answer = browser.get("/board/state?line=city")
    city = answer.get_json()["lines"][0]
    assert [c["state"] for c in city["calls"]] == ["ringing"]
    assert 39 <= city["calls"][0]["seconds"] <= 45
    assert {p["counselor"]: p["state"] for p in city["tiers"][0]}["wang-li"] == "ringing"
    assert "CANARY" not in answer.text
    assert "CAringing" not in answer.text
    assert CANARY not in answer.text
    assert "+86139" not in answer.text


def test_an_ended_call_is_not_on_the_board(web_app: Flask, world: Any) -> None:
    world.call("city", now() - timedelta(minutes=11), counselor="wang-li")
    assert _state(_signed_in(web_app, world), "city")["lines"][0]["calls"] == []


def test_the_board_page_works_without_script_and_loads_only_its_own_script(
    web_app: Flask, world: Any
) -> None:
    page = _signed_in(web_app, world).get("/board")
    assert page.status_code == 200
    assert "王丽" in page.text
    assert "<script>" not in page.text
    assert re.search(r'<script src="/static/board.js[^"]*" defer>', page.text)
    assert "style=" not in page.text


def _kiosk(web_app: Flask, world: Any, line: str | None = "school") -> tuple[Browser, str, Browser]:
    admin = _signed_in(web_app, world, "admin")
    made = admin.post("/board/screens", {"name": "Wall 1", "line": line or ""})
    assert made.status_code == 200
    code = re.search(r"data-board-code>([^<]+)<", made.text)
    assert code is not None
    wall = Browser(web_app)
    signed = wall.post("/board/kiosk", {"code": code.group(1)})
    assert signed.status_code == 302
    assert signed.location == "/board"
    return wall, code.group(1), admin


def test_a_kiosk_sees_its_line_on_the_board_and_nothing_else(web_app: Flask, world: Any) -> None:
    wall, _, _ = _kiosk(web_app, world)
    state = wall.get("/board/state").get_json()
    assert [line["key"] for line in state["lines"]] == ["school"]
    assert wall.get("/board").status_code == 200
    for elsewhere in ("/calls", "/account", "/rota", "/statistics", "/board/screens", "/"):
        answer = wall.get(elsewhere)
        assert answer.status_code == 302, elsewhere
        assert answer.location.startswith("/login"), elsewhere


def test_a_revoked_board_code_signs_its_screen_out_at_once(web_app: Flask, world: Any) -> None:
    wall, code, admin = _kiosk(web_app, world)
    page = admin.get("/board/screens")
    screen = re.search(r'action="/board/screens/(\d+)/revoke"', page.text)
    assert screen is not None
    assert admin.post(f"/board/screens/{screen.group(1)}/revoke", {},
                      token_from="/board/screens").status_code == 302  # fmt: skip
    assert wall.get("/board/state").status_code == 302
    again = Browser(web_app).post("/board/kiosk", {"code": code})
    assert again.status_code == 401


def test_a_wrong_board_code_opens_nothing(web_app: Flask, world: Any) -> None:
    answer = Browser(web_app).post("/board/kiosk", {"code": "not-a-code"})
    assert answer.status_code == 401


def test_making_and_revoking_a_screen_is_audited(web_app: Flask, world: Any) -> None:
    _kiosk(web_app, world)
    from sqlalchemy import select

    from hotline.models import AuditEntry

    with world.database.read() as db:
        actions = list(db.scalars(select(AuditEntry.action)))
    assert "board.screen.add" in actions
    assert json.dumps(actions)  # the code itself is never in the log:
    with world.database.read() as db:
        details = [str(d) for d in db.scalars(select(AuditEntry.detail))]
    assert not any("code" in d for d in details)
