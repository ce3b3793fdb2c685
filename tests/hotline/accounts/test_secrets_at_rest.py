"""Secrets sealed with the data key: AES-GCM, versioned, bound to where they are kept."""

from __future__ import annotations

import base64

import pytest

from hotline.secrets_at_rest import DataKeys, Unreadable, is_sealed
from settings import DataKey

OLD = DataKey(1, bytes(range(32)))
NEW = DataKey(2, bytes(range(32, 64)))
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
HERE = "users.totp_secret:7"


def test_a_sealed_secret_is_tagged_with_the_key_version_and_hides_the_secret() -> None:
    keys = DataKeys(NEW)
    sealed = keys.seal(SECRET, HERE)
    assert sealed.startswith("v2:")
    assert is_sealed(sealed)
    assert SECRET not in sealed
    assert SECRET.encode() not in base64.urlsafe_b64decode(sealed[3:])
    assert keys.open(sealed, HERE) == SECRET


def test_sealing_twice_gives_two_different_values() -> None:
    keys = DataKeys(NEW)
    assert keys.seal(SECRET, HERE) != keys.seal(SECRET, HERE)  # a fresh nonce each time


def test_the_previous_key_still_opens_what_it_sealed_during_a_rotation() -> None:
    sealed = DataKeys(OLD).seal(SECRET, HERE)
    rotating = DataKeys(NEW, OLD)
    assert rotating.open(sealed, HERE) == SECRET
    assert not rotating.is_current(sealed)
    assert rotating.is_current(rotating.seal(SECRET, HERE))


def test_a_value_sealed_with_a_key_no_longer_at_hand_is_unreadable_and_says_so() -> None:
    sealed = DataKeys(OLD).seal(SECRET, HERE)
    with pytest.raises(Unreadable, match="data key v1, which is neither HOTLINE_DATA_KEY"):
        DataKeys(NEW).open(sealed, HERE)


def test_a_sealed_value_opens_only_where_it_was_kept() -> None:
    keys = DataKeys(NEW)
    sealed = keys.seal(SECRET, HERE)
    with pytest.raises(Unreadable):
        keys.open(sealed, "users.totp_secret:8")  # copied into another user's row


@pytest.mark.parametrize("damage", ["flip", "cut", "garble", "plain"])
def test_an_altered_value_is_unreadable(damage: str) -> None:
    keys = DataKeys(NEW)
    sealed = keys.seal(SECRET, HERE)
    blob = bytearray(base64.urlsafe_b64decode(sealed[3:]))
    blob[-1] ^= 1
    altered = {
        "flip": "v2:" + base64.urlsafe_b64encode(bytes(blob)).decode(),
        "cut": "v2:" + base64.urlsafe_b64encode(bytes(blob[:8])).decode(),
        "garble": "v2:AAA",
        "plain": SECRET,
    }[damage]
    with pytest.raises(Unreadable):
        keys.open(altered, HERE)


def test_the_data_key_never_shows_in_a_repr() -> None:
    shown = repr(DataKeys(NEW, OLD))
    assert "DataKey(version=2, secret=<hidden>)" in shown
    assert bytes(range(32)).hex() not in shown
    assert repr(NEW.secret) not in shown
