"""What every job is handed besides `now`: the database, the settings, the outbound providers."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.db import Database
from hotline.outbound.port import Outbound
from settings import Settings


@dataclass(frozen=True, slots=True)
class JobEnv:
    database: Database
    settings: Settings
    outbound: Outbound
