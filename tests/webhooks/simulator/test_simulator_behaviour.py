"""Phone behaviours: names, answer delays and per-attempt sequences."""

from __future__ import annotations

import pytest

from webhooks.simulator import KINDS, Behaviour, PhoneBook, accept, busy, no_answer, voicemail


def test_behaviour_names_are_the_six_outcomes_of_a_ring() -> None:
    assert KINDS == ("accept", "decline", "voicemail", "no-answer", "busy", "failed")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("accept", accept()),
        ("accept:8", accept(after=8)),
        ("voicemail:25", voicemail(after=25)),
        ("busy", busy()),
        ("no-answer", no_answer()),
    ],
)
def test_a_behaviour_can_be_written_as_name_and_seconds(spec: str, expected: Behaviour) -> None:
    assert Behaviour.parse(spec) == expected


@pytest.mark.parametrize("spec", ["pickup", "accept:soon", ""])
def test_a_malformed_behaviour_is_refused_with_its_name(spec: str) -> None:
    with pytest.raises(ValueError, match="behaviour"):
        Behaviour.parse(spec)


def test_screen_keys_are_one_for_accept_nine_for_decline_none_for_voicemail() -> None:
    keys = {kind: Behaviour(kind).screen_digits for kind in KINDS}
    assert keys == {
        "accept": "1",
        "decline": "9",
        "voicemail": "",
        "no-answer": "",
        "busy": "",
        "failed": "",
    }
    assert Behaviour("accept", presses="2#").screen_digits == "2#"


def test_a_phone_book_plays_a_sequence_per_dial_and_repeats_the_last() -> None:
    book = PhoneBook({"+861": [no_answer(), accept()], "+862": busy()})
    assert [book.dial("+861").kind for _ in range(3)] == ["no-answer", "accept", "accept"]
    assert book.dial("+862").kind == "busy"
    assert book.dial("+869").kind == "no-answer"
