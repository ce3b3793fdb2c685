"""Tokens of the read-only API: kept as keyed digests, never as the token itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base


class ApiToken(Base):
    """A bearer token of `/api/v1/`. `digest` is `vN:` + HMAC-SHA256 of the token under a key
    derived from data key N; a revoked token keeps its row (the audit log names it)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    digest: Mapped[str] = mapped_column(String(80), unique=True)
    scopes: Mapped[list[str]]
    # Requests a second, and as many at once (a bucket that refills at this rate).
    rate_per_second: Mapped[int]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
