"""A supervisor's call log: filtering it, opening a call, exporting it; switching language."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.service import Demo
from tests.browser.steps import People, submit

CITY = "慈溪市心理援助热线"


def test_a_supervisor_filters_the_log_by_line_and_result_then_opens_a_call(
    demo: Demo, people: People
) -> None:
    page = people.page("supervisor")
    page.goto("/calls")
    page.locator("select[name=line]").select_option("city")
    page.locator("select[name=result]").select_option("answered")
    submit(page, page.locator("form:has(select[name=line]) [type=submit]"))
    expect(page).to_have_url(re.compile(r"/calls\?.*line=city.*result=answered"))
    expect(page.locator("select[name=line]")).to_have_value("city")
    for shown in demo.answered:
        expect(page.locator(f"a[href$='/calls/{shown}']").first).to_be_visible()
    for hidden in (*demo.unanswered, demo.school):
        expect(page.locator(f"a[href$='/calls/{hidden}']")).to_have_count(0)
    submit(page, page.locator(f"a[href$='/calls/{demo.flagged.id}']").first)
    expect(page).to_have_url(re.compile(rf"/calls/{demo.flagged.id}$"))
    expect(page.locator("h1")).to_contain_text(f"#{demo.flagged.id}")
    expect(page.locator("main")).to_contain_text(CITY)
    expect(page.locator("main")).to_contain_text("同意明天再打来。")  # the outcome's note


def test_a_supervisor_exports_the_filtered_log_as_a_de_identified_csv_download(
    demo: Demo, people: People
) -> None:
    page = people.page("supervisor")
    page.goto("/calls?line=city")
    page.locator("select[name=format]").select_option("csv")
    with page.expect_download() as downloading:
        page.locator("form:has(select[name=format]) [type=submit]").click()
    download = downloading.value
    assert re.fullmatch(r"calls-[-\w]+\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert {str(n) for n in (*demo.answered, *demo.unanswered)} <= set(rows)
    assert {row["line"] for row in rows.values()} == {"city"}
    assert rows[str(demo.flagged.id)]["risk"] == "high"
    assert not re.search(r"\+\d{6}|CA[0-9a-f]{32}", text)  # no numbers, no CallSids


def test_a_person_switches_the_language_to_english_and_back_to_chinese(people: People) -> None:
    page = people.page("lin-xue", fresh=True)  # a browser that asks for Chinese
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    choose_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="My calls")).to_be_visible()
    elsewhere = people.page("lin-xue", fresh=True)  # the account's choice beats the browser's
    expect(elsewhere.locator("html")).to_have_attribute("lang", "en")
    choose_language(elsewhere, "zh_CN")
    expect(elsewhere.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(elsewhere.get_by_role("link", name="我的来电")).to_be_visible()


def choose_language(page: Page, language: str) -> None:
    page.goto("/account")
    page.locator("select[name=language]").select_option(language)
    submit(page, page.locator("form:has(select[name=language]) [type=submit]"))
