"""Caller pseudonyms: the same caller is recognized in any spelling, never identified."""

from __future__ import annotations

import hashlib

import pytest

from hotline.pseudonym import WITHHELD, caller_pseudonym, linked_pseudonyms
from settings import PseudonymKey

KEY = PseudonymKey(2, bytes.fromhex("ab" * 32))
OLD = PseudonymKey(1, bytes.fromhex("cd" * 32))
CANARY = "+8613800138000"


@pytest.mark.parametrize(
    "spelling",
    [
        "+8613800138000",
        "+86 138-0013-8000",
        "008613800138000",
        "13800138000",
        "＋８６１３８００１３８０００",
    ],
)
def test_every_spelling_of_one_number_is_one_caller(spelling: str) -> None:
    assert caller_pseudonym(spelling, "CN", KEY) == caller_pseudonym(CANARY, "CN", KEY)


@pytest.mark.parametrize(
    "caller",
    [None, "", "anonymous", "Restricted", "+", "client:alice", "sip:x@example.org", "1" * 30],
)
def test_withheld_and_non_numbers_share_the_fixed_pseudonym(caller: str | None) -> None:
    assert caller_pseudonym(caller, "CN", KEY) == WITHHELD


def test_a_pseudonym_is_versioned_and_26_characters_of_base32() -> None:
    pseudonym = caller_pseudonym(CANARY, "CN", KEY)
    version, _, body = pseudonym.partition(":")
    assert version == "v2"
    assert len(body) == 26
    assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_different_numbers_and_different_keys_give_different_pseudonyms() -> None:
    assert caller_pseudonym(CANARY, "CN", KEY) != caller_pseudonym("+8613800138001", "CN", KEY)
    assert caller_pseudonym(CANARY, "CN", KEY)[3:] != caller_pseudonym(CANARY, "CN", OLD)[3:]


def test_the_pseudonym_is_not_a_plain_hash_of_any_spelling() -> None:
    body = caller_pseudonym(CANARY, "CN", KEY)[3:].lower()
    for spelling in (CANARY, CANARY[1:], CANARY[3:], "caller:" + CANARY):
        digest = hashlib.sha256(spelling.encode()).hexdigest()
        assert body not in digest


def test_during_a_rotation_both_keys_link_the_caller_and_without_the_old_one_they_do_not() -> None:
    assert linked_pseudonyms(CANARY, "CN", KEY, OLD) == (
        caller_pseudonym(CANARY, "CN", KEY),
        caller_pseudonym(CANARY, "CN", OLD),
    )
    assert linked_pseudonyms(CANARY, "CN", KEY, None) == (caller_pseudonym(CANARY, "CN", KEY),)
    assert linked_pseudonyms("anonymous", "CN", KEY, OLD) == (WITHHELD,)
