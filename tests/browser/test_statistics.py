"""The statistics page in Chromium: charts drawn (Chart.js served by the app, under the CSP)
from the tables beside them, in both languages and on a phone; a figure's link opens the call
log with as many calls as the figure says."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.service import Demo
from tests.browser.steps import NARROW, WIDE, People, overflow, submit

CHARTED = """figures => figures.map(figure => {
  const chart = window.Chart.getChart(figure.querySelector("canvas"));
  const table = figure.querySelector("table");
  const columns = [...table.tHead.rows[0].cells].map((cell, i) => [cell, i])
    .filter(([cell]) => cell.hasAttribute("data-series")).map(([, i]) => i);
  const rows = [...table.tBodies[0].rows].filter(row => row.cells.length > 1);
  return {
    drawn: chart.data.datasets.map(set => set.data),
    table: columns.map(i => rows.map(row => Number(row.cells[i].dataset.value))),
    labels: [chart.data.labels, rows.map(row => row.cells[0].textContent.trim())],
    width: figure.querySelector("canvas").getBoundingClientRect().width,
  };
})"""


def watched(page: Page) -> list[str]:
    """Errors the page logs (a CSP refusal is one)."""
    errors: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["wide", "390px"])
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_charts_are_drawn_from_the_tables_beside_them(
    demo: Demo, people: People, locale: str, viewport: Any
) -> None:
    page = people.page("supervisor", locale=locale, viewport=viewport)
    errors = watched(page)
    page.goto("/statistics")

    expect(page.locator("html")).to_have_attribute("data-charts", "drawn")
    charts: list[dict[str, Any]] = page.eval_on_selector_all("figure.chart", CHARTED)

    assert len(charts) == 9
    for chart in charts:
        assert chart["drawn"] == chart["table"]
        assert chart["labels"][0] == chart["labels"][1]
        assert chart["width"] > 100
    ended = charts[0]["drawn"][0]
    assert sum(ended) >= 5  # the demo's calls, each ended one way
    heading = "来电趋势" if locale == "zh-CN" else "Calls over time"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert overflow(page) is None
    assert errors == []


def test_a_figures_link_opens_the_call_log_with_as_many_calls(demo: Demo, people: People) -> None:
    page = people.page("supervisor", locale="en")
    page.goto("/statistics")
    for figure in ("calls", "taken"):
        page.goto("/statistics")
        link = page.locator(f"tr[data-figure='{figure}'] a.count").first
        shown = int(link.inner_text())
        assert shown >= 1
        submit(page, link)
        expect(page.locator("h1")).to_have_text("Call log")
        expect(page.locator("table tbody a[href*='/calls/']")).to_have_count(shown)
