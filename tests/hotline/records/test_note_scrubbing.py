"""Notes lose phone numbers, ID-card numbers and e-mail addresses before they are stored."""

from __future__ import annotations

import pytest

from hotline.records.scrub import BadNote, scrub_note

CANARY_FORMS = [
    "+8613800138000",
    "8613800138000",
    "13800138000",
    "138 0013 8000",
    "138-0013-8000",
    "1 3 8 0 0 1 3 8 0 0 0",
    "00138000",
    "0086 138 0013 8000",
    "＋８６１３８００１３８０００",
    "一三八零零一三八零零零",
]


@pytest.mark.parametrize("number", CANARY_FORMS)
def test_every_spelling_of_a_phone_number_is_masked(number: str) -> None:
    scrubbed = scrub_note(f"她说可以打 {number} 找她", 4000)
    assert scrubbed is not None
    assert "[电话/phone]" in scrubbed
    assert "8000" not in scrubbed
    assert "８０００" not in scrubbed
    assert "零零零" not in scrubbed


@pytest.mark.parametrize(
    ("text", "mask"),
    [
        ("ID 33028219900101123X here", "[证件/ID]"),
        ("mail me: student.x+1@example.edu.cn", "[邮箱/e-mail]"),
        ("邮箱 abc\uff20qq.com", "[邮箱/e-mail]"),
    ],
    ids=["id-card", "email", "full-width-at"],
)
def test_id_card_numbers_and_email_addresses_are_masked(text: str, mask: str) -> None:
    assert mask in (scrub_note(text, 4000) or "")


@pytest.mark.parametrize(
    "text",
    ["2026-12-01 10:30 复诊", "15岁，初三，3次", "第12356热线", "<script>alert(1)</script>"],
    ids=["date-and-time", "ages-and-counts", "five-digit-service-number", "markup"],
)
def test_ordinary_text_with_a_few_digits_is_kept_as_written(text: str) -> None:
    assert scrub_note(text, 4000) == text


def test_unicode_right_to_left_override_and_emoji_are_stored_faithfully() -> None:
    text = "情绪低落 😢 \u202eabc\u200b"
    assert scrub_note(text, 4000) == text


@pytest.mark.parametrize(
    "text", ["a\x00b", "bell\x07", "escape\x1b[31m"], ids=["nul", "bel", "esc"]
)
def test_control_characters_are_refused(text: str) -> None:
    with pytest.raises(BadNote):
        scrub_note(text, 4000)


def test_an_overlong_note_is_refused_and_an_empty_one_is_none() -> None:
    with pytest.raises(BadNote):
        scrub_note("字" * 4001, 4000)
    assert scrub_note("  \n ", 4000) is None
