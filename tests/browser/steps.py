"""What people do in the web app, in Chromium driven by Playwright: signing in (with the
second factor), recording an outcome, checking a page fits a phone's screen, following every
link. Shared by the browser tests and `make screenshots`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    StorageState,
    ViewportSize,
    expect,
)

from hotline import clock
from tests.browser.service import Service, demo_password

CHROMIUM = Path("/usr/bin/chromium")  # Debian's, by its path: Playwright downloads none
WIDE = ViewportSize(width=1280, height=900)
NARROW = ViewportSize(width=390, height=844)  # a phone held upright
TOTP_STEP = 30
_OTPAUTH = re.compile(r"otpauth://totp/[^\"'<>\s]+")


def launch(playwright: Playwright) -> Browser:
    # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])


def the_clock() -> datetime:
    return clock.now()  # looked up at each call: `make screenshots` sets the service's clock


@dataclass
class Authenticator:
    """The authenticator app of everyone in the tests: it learns each secret from the
    enrolment page, as a phone scanning it would, and shows each code once (the service
    accepts a code once only)."""

    now: Callable[[], datetime] = the_clock
    secrets: dict[str, str] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)

    def learn(self, username: str, page: Page) -> None:
        found = _OTPAUTH.search(page.content())
        assert found is not None, "the enrolment page shows no otpauth:// link"
        query = parse_qs(urlsplit(html.unescape(found.group(0))).query)
        self.secrets[username] = query["secret"][0]

    def code(self, username: str) -> str:
        """The code of the first time step not used yet: this one or the next (the service
        takes either); a third sign-in within 30 s would need one of the future."""
        current = int(self.now().timestamp()) // TOTP_STEP
        step = max(current, self.used.get(username, current - 1) + 1)
        assert step <= current + 1, f"{username} signed in three times in one TOTP step"
        self.used[username] = step
        return self._at(username, step)

    def wrong_code(self, username: str) -> str:
        """A code of none of the steps the service would take now."""
        current = int(self.now().timestamp()) // TOTP_STEP
        valid = {self._at(username, step) for step in range(current - 2, current + 3)}
        return next(code for code in ("000000", "111111", "222222") if code not in valid)

    def _at(self, username: str, step: int) -> str:
        return str(pyotp.TOTP(self.secrets[username]).at(step * TOTP_STEP))


def submit(page: Page, button: Locator) -> None:
    """Click a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        button.click()


def sign_in(page: Page, username: str, authenticator: Authenticator) -> None:
    """From the sign-in page (where the page is now): password, then the second factor when the
    role asks for one (enrolling first when it is the first time)."""
    enter_password(page, username, authenticator)
    if "/login/totp" in page.url:
        enrolling = "/setup" in page.url
        if enrolling:
            authenticator.learn(username, page)
        enter_code(page, authenticator.code(username))
        if enrolling and "/login/totp" in page.url:  # the recovery codes, shown this once
            submit(page, page.locator("main a[href], main [type=submit]").last)
    expect(page.locator("#password")).to_have_count(0)  # signed in: no sign-in form


def enter_password(page: Page, username: str, authenticator: Authenticator | None = None) -> None:
    """The demo user's password (and a code, where the form asks for both at once)."""
    form = page.locator("form:has(#password)")
    form.locator("#username").fill(username)
    form.locator("#password").fill(demo_password(username))
    if authenticator and username in authenticator.secrets and form.locator("#code").count():
        form.locator("#code").fill(authenticator.code(username))  # signing in again
    submit(page, form.locator("[type=submit]"))


def enter_code(page: Page, code: str) -> None:
    page.locator("#code").fill(code)
    submit(page, page.locator("form:has(#code) [type=submit]"))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a counselor enters: values of the form's fields (see `hotline.web.labels`)."""

    call_type: str = "counseling"
    risk: str = "low"
    topics: tuple[str, ...] = ()
    actions: tuple[str, ...] = ("support",)
    caller_type: str = ""
    age_band: str = ""
    note: str = ""


def fill_outcome(page: Page, outcome: Outcome) -> None:
    """Fill the outcome form open on `page` (without saving it)."""
    page.locator(f"input[name=call_type][value='{outcome.call_type}']").check()
    page.locator(f"input[name=risk][value='{outcome.risk}']").check()
    for name, values in (("topics", outcome.topics), ("actions", outcome.actions)):
        for value in values:
            page.locator(f"input[name={name}][value='{value}']").check()
    for name in ("caller_type", "age_band"):
        if value := getattr(outcome, name):
            page.locator(f"select[name={name}]").select_option(value)
    page.locator("textarea[name=note]").fill(outcome.note)


def save_outcome(page: Page) -> None:
    submit(page, page.locator("form:has(textarea[name=note]) [type=submit]"))


# Where the page is wider than the screen: the outermost elements that stick out on the right.
_OVERFLOW = """() => {
  const root = document.documentElement, width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + [...e.classList].map((c) => '.' + c).join('');
  const out = (e) => e.getBoundingClientRect().right > width + 0.5;
  const culprits = [...document.body.querySelectorAll('*')]
    .filter((e) => out(e) && !(e.parentElement && out(e.parentElement)))
    .slice(0, 5).map((e) => name(e) + ' to ' + Math.round(e.getBoundingClientRect().right));
  return `${root.scrollWidth}px wide on a ${width}px screen: ${culprits.join(', ')}`;
}"""


def overflow(page: Page) -> str | None:
    """Why the page scrolls sideways (None: it fits the window's width)."""
    found: Any = page.evaluate(_OVERFLOW)
    return None if found is None else str(found)


_LEAVE_ALONE = ("/logout", "/static/", "/webhooks/")


def kind_of(url: str) -> str:
    """Pages of one kind (every call's page, every page of the log): visited once."""
    parts = urlsplit(url)
    keys = sorted(parse_qs(parts.query, keep_blank_values=True))
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def crawl(page: Page, base_url: str, start: str = "/", limit: int = 40) -> dict[str, str | None]:
    """Every page of each kind reachable by links from `start`, with what is wrong with it
    (an error status, or overflow: see `overflow`), None when nothing is."""
    queue, seen, found = [base_url + start], {kind_of(start)}, dict[str, str | None]()
    while queue and len(found) < limit:
        response = page.goto(queue.pop(0))
        status = response.status if response is not None else 0
        found[page.url] = f"status {status}" if status >= 400 else overflow(page)
        links: list[str] = page.eval_on_selector_all("a[href]", "all => all.map(a => a.href)")
        for link in links:
            url = link.split("#")[0]
            if not url.startswith(base_url + "/") or any(p in url for p in _LEAVE_ALONE):
                continue
            if kind_of(url) not in seen:
                seen.add(kind_of(url))
                queue.append(url)
    return found


class People:
    """Browser contexts (one per person, each its own cookies), signing in once per user and
    reusing the cookies after; the contexts opened are closed by `close`."""

    def __init__(self, browser: Browser, service: Service, authenticator: Authenticator) -> None:
        self.browser, self.service, self.authenticator = browser, service, authenticator
        self.cookies: dict[str, StorageState] = {}
        self.contexts: list[BrowserContext] = []

    def page(
        self,
        username: str | None = None,
        *,
        locale: str = "zh-CN",
        viewport: ViewportSize = WIDE,
        fresh: bool = False,
        cookies: StorageState | None = None,
    ) -> Page:
        """A page at the sign-in form, or of `username` signed in (`fresh`: signing in now),
        or with the `cookies` given."""
        kept = cookies or (None if fresh or username is None else self.cookies.get(username))
        context = self.browser.new_context(
            base_url=self.service.url,
            locale=locale,
            viewport=viewport,
            storage_state=kept,
            accept_downloads=True,
        )
        self.contexts.append(context)
        page = context.new_page()
        page.goto("/" if kept else "/login")
        if username is not None and kept is None:
            sign_in(page, username, self.authenticator)
            if not fresh:
                self.cookies[username] = context.storage_state()
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()
