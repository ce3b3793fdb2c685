"""Secrets kept in the database (TOTP secrets; later a caller's consented contact), sealed with
HOTLINE_DATA_KEY: AES-256-GCM, tagged with the key's version so a rotation can find them.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from settings import DataKey, Settings

NONCE_BYTES = 12  # GCM's standard nonce: random, never reused with one key in practice
_SEALED = re.compile(r"^v([0-9]{1,6}):([A-Za-z0-9_-]+={0,2})$")


class Unreadable(ValueError):
    """No key at hand opens the value: sealed with another key, bound elsewhere, or altered."""


def is_sealed(value: str) -> bool:
    return _SEALED.match(value) is not None


@dataclass(frozen=True, slots=True)
class DataKeys:
    """The current data key seals; the previous one (during a rotation) still opens.

    Each value is bound to a `context` (where it is kept: a column and a row), so a sealed value
    copied into another row does not open there.
    """

    current: DataKey
    previous: DataKey | None = None

    @classmethod
    def of(cls, settings: Settings) -> DataKeys:
        return cls(settings.data_key, settings.data_key_previous)

    def seal(self, plain: str, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.current.secret).encrypt(nonce, plain.encode(), context.encode())
        return f"v{self.current.version}:" + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, context: str) -> str:
        version, blob = _parts(sealed)
        key = self._key(version)
        try:
            plain = AESGCM(key.secret).decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode()
            )
        except InvalidTag as exc:
            raise Unreadable(f"a value sealed with data key v{version} fails its check") from exc
        return plain.decode()

    def is_current(self, sealed: str) -> bool:
        match = _SEALED.match(sealed)
        return match is not None and int(match.group(1)) == self.current.version

    def _key(self, version: int) -> DataKey:
        for key in (self.current, self.previous):
            if key is not None and key.version == version:
                return key
        raise Unreadable(
            f"a value is sealed with data key v{version}, which is neither HOTLINE_DATA_KEY "
            "nor HOTLINE_DATA_KEY_PREVIOUS"
        )


def _parts(sealed: str) -> tuple[int, bytes]:
    match = _SEALED.match(sealed)
    if match is None:
        raise Unreadable("not a sealed value")
    try:
        blob = base64.urlsafe_b64decode(match.group(2))
    except (binascii.Error, ValueError) as exc:
        raise Unreadable("a sealed value is damaged") from exc
    if len(blob) <= NONCE_BYTES:
        raise Unreadable("a sealed value is damaged")
    return int(match.group(1)), blob


def _never(value: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class SealedColumn:
    """A column of sealed values: its name (for reports), where a row's value is bound, and
    which stored values are plain ones from before sealing (read as they are, then sealed)."""

    name: str
    model: type[Any]
    attribute: str
    context: Callable[[Any], str]
    legacy: Callable[[str], bool] = field(default=_never)


@dataclass(slots=True)
class Resealed:
    """What a rotation did to one column."""

    resealed: int = 0
    current: int = 0
    unreadable: int = 0


def reseal(session: Session, keys: DataKeys, column: SealedColumn) -> Resealed:
    """Seal every value of `column` with the current key (idempotent: current ones are left)."""
    report = Resealed()
    attribute = getattr(column.model, column.attribute)
    for row in session.scalars(select(column.model).where(attribute.is_not(None))):
        value: str = getattr(row, column.attribute)
        if keys.is_current(value):
            report.current += 1
            continue
        try:
            plain = value if column.legacy(value) else keys.open(value, column.context(row))
        except Unreadable:
            report.unreadable += 1
            continue
        setattr(row, column.attribute, keys.seal(plain, column.context(row)))
        report.resealed += 1
    return report
