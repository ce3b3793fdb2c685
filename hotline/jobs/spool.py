"""`spool-load`: the backstop for what the call path spooled while the database failed.

Each web process applies its database's spool itself as soon as the database answers; this
applies what is left (a process that stopped first, or one that gets no more requests).
Claiming a spool file renames it, so a web process and this job never apply the same events.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from hotline.duty import DutyIndex
from hotline.jobs.env import JobEnv
from hotline.routing.directory import LineDirectory
from hotline.routing.inputs import RoutingContext
from hotline.routing.recovery import load_spool_when_back
from hotline.spool import Spool


def spool_load(env: JobEnv, now: datetime) -> dict[str, Any]:
    settings = env.settings
    # The spool of the database this job is handed, whatever URL the settings name.
    url = env.database.engine.url.render_as_string(hide_password=False)
    spool = Spool.of(Path(settings.spool_dir), url)
    context = RoutingContext(
        settings.fallback_number,
        settings.pseudonym_key,
        settings.pseudonym_key_previous,
        DutyIndex(),
        LineDirectory(),
    )
    return {"events": load_spool_when_back(env.database, spool, context)}
