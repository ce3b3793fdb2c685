"""The log filter: a second line of defence that masks anything shaped like a phone number."""

from __future__ import annotations

import logging

import pytest

from hotline.logmask import MASK, MaskPhoneNumbers, mask_numbers


@pytest.mark.parametrize(
    "text",
    [
        "+8613800138000",
        "+86 138-0013-8000",
        "008613800138000",
        "13800138000",
        "１３８００１３８０００",
        "0574-63898070",
    ],
)
def test_phone_shaped_runs_are_masked(text: str) -> None:
    assert mask_numbers(f"call from {text}.") == f"call from {MASK}."


@pytest.mark.parametrize(
    "text",
    ["on 2026-12-01 at 08:00", "CA0123456789abcdef0123456789abcdef", "attempt 12345", "v2:ABC234"],
)
def test_dates_sids_and_short_numbers_are_left_alone(text: str) -> None:
    assert mask_numbers(text) == text


def test_the_filter_masks_arguments_and_tracebacks_of_a_record() -> None:
    try:
        raise ValueError("bad number +8613800138000")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "caller %s", ("13800138000",), None
        )
        import sys

        record.exc_info = sys.exc_info()
    MaskPhoneNumbers().filter(record)
    assert record.getMessage() == f"caller {MASK}"
    assert record.exc_text is not None
    assert "8613800138000" not in record.exc_text
