"""`make screenshots`: the README's pictures (docs/screenshots/*.png) retaken in Debian's
Chromium, from the demo configuration and simulated calls, as the browser tests drive the app.

The service's clock starts at a fixed Wednesday morning in Shanghai (school teachers and 王丽
on duty) and moves only with the simulated calls, so the pictures come out the same each time:

    .venv/bin/python -m tests.browser.screenshots [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

from hotline import clock
from hotline.jobs.env import JobEnv
from hotline.jobs.heartbeat import beat
from hotline.jobs.runner import run_job
from hotline.outbound.providers import build_outbound
from hotline.shifts.asking import ask_confirmations
from tests.browser.service import Service, running_service
from tests.browser.steps import (
    CHROMIUM,
    WIDE,
    Authenticator,
    Outcome,
    People,
    fill_outcome,
    launch,
    save_outcome,
    submit,
)
from webhooks.simulator import Behaviour, accept, busy, decline, voicemail

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PUBLIC_URL = "http://127.0.0.1:8000"  # as `make run` serves the demo: links in messages
START = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in Shanghai
SCHOOL_CALL = Outcome(
    call_type="counseling",
    risk="high",
    topics=("bullying", "self-harm"),
    actions=("support", "follow-up"),
    caller_type="student",
    age_band="15-17",
    note="初二学生，在校长期被欺凌，近一周有轻生念头。同意明早和班主任一起面谈，"
    "留了邮箱 xiaoyu.chen@example.com。",
)


class StoppedClock:
    """The service's clock in the pictures: it shows `START` and moves only when told, by each
    step of a simulated call (so waits and rings last as simulated) and between calls; the
    pictures thus come out the same however fast the machine is."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


REPEAT_CALLER = "+8613800138000"
FALLBACK_LINE = "+8657487112345"  # the city line's, in examples/demo.yaml
SCHOOL_ANSWERS: dict[str, Behaviour] = {
    "he-fang": decline(6),
    "ma-jun": voicemail(5),
    "lin-xue": decline(4),
    "wang-li": accept(10, talk_seconds=180),
}
# The morning's calls, seven minutes apart: name, line, who answers how, the call's options.
CALLS: tuple[tuple[str, str, dict[str, Behaviour], dict[str, object]], ...] = (
    ("first", "city", {"wang-li": accept(8, talk_seconds=260)}, {"caller": REPEAT_CALLER}),
    ("busy", "city", {"wang-li": busy(), "chen-jing": accept(12, talk_seconds=40)}, {}),
    ("fallback", "city", {FALLBACK_LINE: accept(4)}, {}),  # no counselor: the fallback line
    ("hung-up", "city", {}, {"caller_hangs_up_after": 35.0}),  # hangs up while ringing
    ("again", "city", {"wang-li": accept(15, talk_seconds=420)}, {"caller": REPEAT_CALLER}),
    ("school", "school-yz", SCHOOL_ANSWERS, {}),  # overflows to the city line
    ("waiting", "city", {"wang-li": accept(6, talk_seconds=150)}, {}),
)


def place_calls(service: Service, stopped: StoppedClock) -> dict[str, int]:
    """The calls of `CALLS`: their records' ids by name."""
    ids = {}
    for seed, (name, line, answers, options) in enumerate(CALLS, start=1):
        stopped.advance(7 * 60)
        trace = service.call(line, answers, seed=seed, sleep=stopped.advance, **options)
        ids[name] = service.call_id(trace)
    return ids


def record_outcomes(people: People, calls: dict[str, int], out: Path) -> None:
    """王丽 records hers (the school call's form is pictured, then her list after saving it);
    陈静 records the short call she took."""
    page = people.page("chen-jing", fresh=True)
    page.goto(f"/calls/{calls['busy']}/outcome")
    fill_outcome(page, Outcome(call_type="silent", risk="none", actions=()))
    save_outcome(page)
    page = people.page("wang-li")
    for name, outcome in (
        ("first", Outcome(risk="high", topics=("emotional-distress",), caller_type="other")),
        ("again", Outcome(risk="moderate", topics=("family-conflict",), caller_type="parent")),
    ):
        page.goto(f"/calls/{calls[name]}/outcome")
        fill_outcome(page, outcome)
        save_outcome(page)
    page.goto(f"/calls/{calls['school']}/outcome")
    fill_outcome(page, SCHOOL_CALL)
    picture(page, out / "outcome-form.png")
    save_outcome(page)
    picture(page, out / "counselor-outcomes.png")


def ask_for_shifts(service: Service, people: People, out: Path) -> None:
    """Tomorrow's shifts are asked to be confirmed; 王丽's start page then shows hers."""
    now = clock.now()
    with service.database.write() as db:
        ask_confirmations(
            db, now, service.settings.public_url, after=now, until=now + timedelta(days=1)
        )
    page = people.page("wang-li")
    picture(page, out / "start-page.png")


def send_messages(service: Service) -> None:
    """The scheduler's part: the outbox sends (recorded: nothing leaves), and it beats."""
    env = JobEnv(service.database, service.settings, build_outbound(service.settings))
    run_job(env, "outbox-send", clock.now(), wall_clock=clock.now)
    with service.database.write() as db:
        beat(db, "screenshots", clock.now(), clock.now())


def review(people: People, calls: dict[str, int], out: Path) -> None:
    """The supervisor signs in (enrolling a second factor) and reviews; then in English, and
    the operator's outbox."""
    page = people.page()
    picture(page, out / "login-zh.png")
    page = people.page("supervisor")
    page.goto("/calls")
    page.locator("select[name=line]").select_option("city")
    submit(page, page.locator("form:has(select[name=line]) [type=submit]"))
    picture(page, out / "supervisor-call-log.png")
    page.goto(f"/calls/{calls['school']}")
    picture(page, out / "call-detail.png")
    page.goto("/alerts")  # the first call's alert is acknowledged, the school call's is open
    submit(page, page.locator("form[action$='/alerts/1/acknowledge'] [type=submit]"))
    page.goto("/alerts")
    picture(page, out / "alerts.png")
    page.goto("/statistics")  # issue 13: the charts drawn from their tables
    page.locator("html[data-charts=drawn]").wait_for()
    picture(page, out / "statistics.png")
    page = people.page("supervisor", locale="en-US")
    page.goto("/calls")
    picture(page, out / "call-log-en.png")
    page = people.page("operator")
    submit(page, page.locator("nav a[href$='/outbox']"))
    picture(page, out / "outbox.png")
    page.goto("/rota/calendar?line=city&view=week")  # issue 15: the rota desk
    picture(page, out / "rota-week.png")
    page.goto("/board?line=city")
    picture(page, out / "board.png")


def picture(page: Page, path: Path) -> None:
    """The whole page, 1280 px wide and as tall as what it shows."""
    page.set_viewport_size(ViewportSize(width=WIDE["width"], height=200))
    page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    page.set_viewport_size(WIDE)
    print(f"  {path.name}")


def take(out: Path) -> None:
    stopped = StoppedClock(START)
    clock.now = stopped  # the service's clock, in this process
    with (
        tempfile.TemporaryDirectory(prefix="hotline-screenshots-") as home,
        running_service(Path(home), public_url=PUBLIC_URL, now=stopped) as service,
        sync_playwright() as playwright,
    ):
        browser = launch(playwright)
        people = People(browser, service, Authenticator())
        calls = place_calls(service, stopped)
        send_messages(service)
        record_outcomes(people, calls, out)
        ask_for_shifts(service, people, out)
        send_messages(service)
        review(people, calls, out)
        people.close()
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go")
    out: Path = parser.parse_args().out
    if not CHROMIUM.exists():
        print(f"screenshots: no Chromium at {CHROMIUM} (apt-get install chromium)")
        return 2
    if not chinese_fonts():
        print("screenshots: no Chinese font (apt-get install fonts-noto-cjk)")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    print(f"taking screenshots into {out}")
    take(out)
    return 0


def chinese_fonts() -> bool:
    found = shutil.which("fc-list")
    listed = subprocess.run([found, ":lang=zh"], capture_output=True, text=True) if found else None
    return bool(listed and listed.stdout.strip())


if __name__ == "__main__":
    sys.exit(main())
