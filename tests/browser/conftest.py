"""The browser tests: the real service in a thread (see `service`), Debian's Chromium driven by
Playwright. Without /usr/bin/chromium they are not collected, and the run says so (the header
below for `pytest tests/browser`; `make test` prints its own line, see the Makefile).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.service import Demo, Service, running_service
from tests.browser.steps import (
    CHROMIUM,
    Authenticator,
    Outcome,
    People,
    fill_outcome,
    launch,
    save_outcome,
)

HAVE_CHROMIUM = CHROMIUM.exists()
NOT_RUN = f"browser tests: NOT RUN, no Chromium at {CHROMIUM} (apt-get install chromium)"

if not HAVE_CHROMIUM:
    collect_ignore_glob = ["test_*.py"]


def pytest_report_header() -> str:
    return f"browser tests: Chromium at {CHROMIUM}" if HAVE_CHROMIUM else NOT_RUN


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running_service(tmp_path_factory.mktemp("service")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def signed_in(browser: Browser, service: Service) -> Iterator[People]:
    """Sign-ins kept for the whole session: each user signs in once (a TOTP code is good once)."""
    kept = People(browser, service, Authenticator())
    yield kept
    kept.close()


@pytest.fixture
def people(signed_in: People) -> Iterator[People]:
    """People's pages for one test; their browser contexts are closed after it."""
    yield signed_in
    signed_in.close()


@pytest.fixture(scope="session")
def demo(service: Service, signed_in: People) -> Demo:
    """Calls of each kind in the log, and a high-risk outcome (so an alert) on the first."""
    caller = service.new_caller()
    first = service.take_call("city", caller=caller)
    again = service.take_call("city", caller=caller)  # a repeat caller
    school = service.take_call("school-yz")  # overflows to the city line out of school hours
    missed = service.call("city", {})  # nobody answers: the fallback line
    hung_up = service.call("city", {}, caller_hangs_up_after=12.0)  # hangs up while ringing
    page = signed_in.page(first.counselor, fresh=True)
    page.goto(f"/calls/{first.id}/outcome")
    fill_outcome(page, Outcome(risk="high", topics=("self-harm",), note="同意明天再打来。"))
    save_outcome(page)
    page.context.close()
    unanswered = tuple(service.call_id(trace) for trace in (missed, hung_up))
    return Demo(first.counselor, (first.id, again.id), unanswered, school.id, first)
