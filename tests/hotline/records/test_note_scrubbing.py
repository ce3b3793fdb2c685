"""Notes lose phone numbers, ID-card numbers and e-mail addresses before they are stored."""

from __future__ import annotations

import time

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
    "138  0013  8000",
    "138_0013_8000",
    "138, 0013, 8000",
    "138—0013—8000",
    "138 \u2013 0013 \u2013 8000",  # en dashes
    "壹叁捌零零壹叁捌零零零",
    "壹叁捌 〇〇壹叁 捌〇〇〇",
    "１３８ ００１３ ８０００",
    "１３８，００１３，８０００",
    "138-0013 8000",
    "+86 138.0013_8000",
    "138 - 0013_8000",
    "(0574) 6389 8070",
]


@pytest.mark.parametrize("number", CANARY_FORMS)
def test_every_spelling_of_a_phone_number_is_masked(number: str) -> None:
    assert scrub_note(f"她说可以打 {number} 找她", 4000) == "她说可以打 [电话/phone] 找她"


def test_a_number_next_to_a_date_and_an_age_is_masked_and_they_are_kept() -> None:
    note = "2026-12-01 复诊，她15岁, 138 0013 8000。"
    assert scrub_note(note, 4000) == "2026-12-01 复诊，她15岁, [电话/phone]。"


def test_a_date_written_on_after_a_phone_number_is_no_cover_for_it() -> None:
    assert scrub_note("0574-2026-12-01", 4000) == "[电话/phone]"


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


ORDINARY_TEXT = {
    "date-and-time": "2026-12-01 10:30 复诊",
    "dates-in-other-spellings": "2026/12/01、01/12/2026、2026.12.01-2026.12.05",
    "year-range": "2019-2026年在读，2019 \u2013 2026",
    "ages-and-counts": "15岁，初三，3次",
    "list-of-ages": "孩子分别 12, 15, 18, 20 岁",
    "spaced-counts": "第 3  5  7  9  11  13 次",
    "enumeration": "第 3、5、7 次",
    "durations": "通话 45 分钟，1:30:00，上次 90 分钟",
    "amounts": "欠款 1,000,000 元，分 100, 200, 300 元还，余 12345.50 元",
    "five-digit-service-number": "第12356热线",
    "chinese-numerals-in-words": "一五一十地说了，三三两两，二十五岁",
    "markup": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("text", ORDINARY_TEXT.values(), ids=ORDINARY_TEXT.keys())
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


@pytest.mark.parametrize(
    "word", ["a" * 4000, "1" * 4000, "x1" * 2000], ids=["letters", "digits", "mixed"]
)
def test_a_note_of_one_long_word_is_scrubbed_at_once(word: str) -> None:
    started = time.perf_counter()
    scrub_note(word, 4000)
    assert time.perf_counter() - started < 0.5  # it took over a second when each try rescanned
