"""The attempt plan: a line's tiers, then its overflow lines' tiers, then the fallback number.

A step is one tier of one line (or the fallback). Within a step, counselors are rung in
rounds: `sequential` rings one per round, `simultaneous` up to ten (Twilio's limit). A round
rings the step's counselors in tier order who have not yet been tried and failed; one who
was cancelled because another picked up is not "tried", so after a declined pickup the rest
of the tier is rung again before the plan moves on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rota.model import Tiers

SIMULTANEOUS_LIMIT = 10
FALLBACK = "fallback"
# The fallback is a staffed switchboard, not a mobile phone: it may take longer to pick up.
FALLBACK_RING_SECONDS = 45


@dataclass(frozen=True, slots=True)
class LineDuty:
    """Who was on duty on one line when the call arrived, from which rota version."""

    hotline: str
    version: int | None
    tiers: Tiers


@dataclass(frozen=True, slots=True)
class Step:
    hotline: str | None
    tier: int | None
    counselors: tuple[str, ...]
    version: int | None
    fallback: str | None = None

    @property
    def is_fallback(self) -> bool:
        return self.fallback is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "hotline": self.hotline,
            "tier": self.tier,
            "counselors": list(self.counselors),
            "version": self.version,
            "fallback": self.fallback,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        return cls(
            data["hotline"],
            data["tier"],
            tuple(data["counselors"]),
            data["version"],
            data.get("fallback"),
        )


def build_plan(own: LineDuty, overflow: Sequence[LineDuty], fallback_number: str) -> list[Step]:
    """Every tier with somebody on it, own line first, then overflow lines once each."""
    steps = [
        Step(line.hotline, number, tier, line.version)
        for line in (own, *overflow)
        for number, tier in enumerate(line.tiers, start=1)
        if tier
    ]
    return [*steps, Step(None, None, (), None, fallback=fallback_number)]


def waiting(step: Step, tried: Iterable[str]) -> tuple[str, ...]:
    """The step's counselors not yet tried for this call, in tier order: the next round rings
    the first free one (`sequential`) or up to SIMULTANEOUS_LIMIT of them (`simultaneous`)."""
    done = set(tried)
    return tuple(key for key in step.counselors if key not in done)
