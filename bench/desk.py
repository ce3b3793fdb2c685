"""The rota desk's pages, through the whole app (sign-in, access table, templates), on SQLite:
the board's JSON, a month of the calendar, and the preview of an override.

    .venv/bin/python bench/desk.py [--runs N]

The line: 300 counselors, 40 patterns over tiers 1-3, ~1,000 overrides and 600 leaves over two
years, coverage rules (tier 1 staffed, a psychiatrist, nights in a row, rest, weekly hours),
and a year of history: a version saved every day of the past year.
Targets (issue 15): board JSON < 50 ms, month < 200 ms, preview < 300 ms.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml
from argon2 import PasswordHasher, Type
from sqlalchemy import select

from bench.rota import COUNSELORS, build_rota
from hotline.accounts.passwords import Passwords
from hotline.accounts.users import NewUser, create_user
from hotline.app import create_app
from hotline.clock import now
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.migrate import upgrade
from hotline.models import Hotline, RotaVersion
from hotline.rota_versions import content_hash
from rota.model import LineRota, Rotation, Weekly
from settings import Settings
from tests.conftest import TEST_ENV
from tests.hotline.web.browser import Browser

RULES = {
    "tier1_staffed": True,
    "qualified": [{"qualification": "psychiatrist", "days": ["tue", "thu", "sat"],
                   "start": "18:00", "end": "22:00"}],
    "max_consecutive_nights": 3,
    "min_rest_hours": 11,
    "max_weekly_hours": 48,
}  # fmt: skip
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def configuration(rota: LineRota) -> str:
    """The line as a configuration file (what `hotline config import` reads)."""
    line = {"key": "big", "name": "Big line", "number": "+441234567890",
            "timezone": "Europe/London", "language": "en", "overflow": [],
            "coverage_rules": RULES}  # fmt: skip
    staff = [
        {"key": key, "name": key.replace("counselor-", "C"), "phone": f"+447700{n:06d}",
         "qualifications": ["psychiatrist"] if n % 20 == 0 else ["counselor"]}
        for n, key in enumerate(COUNSELORS)
    ]  # fmt: skip
    return yaml.safe_dump(
        {
            "hotlines": [line],
            "counselors": staff,
            "rota": [_pattern(p) for p in rota.patterns],
            "overrides": [
                {
                    "hotline": "big",
                    "tier": o.tier,
                    "start": _wall(o.start),
                    "end": _wall(o.end),
                    "counselors": list(o.counselors),
                }
                for o in rota.overrides
                if o.counselors
            ],
            "leave": [
                {"counselor": v.counselor, "start": _wall(v.start), "end": _wall(v.end)}
                for v in rota.leave
            ],
        },
        allow_unicode=True,
        sort_keys=False,
    )


def _override(o: Any) -> dict[str, Any]:
    return {"hotline": "big", "tier": o.tier, "start": _wall(o.start), "end": _wall(o.end),
            "counselors": list(o.counselors)}  # fmt: skip


def _pattern(p: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"hotline": "big", "tier": p.tier}
    if isinstance(p.shape, Weekly):
        found["weekly"] = {"days": [DAYS[d] for d in sorted(p.shape.days)],
                           "start": p.shape.start.strftime("%H:%M"),
                           "end": p.shape.end.strftime("%H:%M")}  # fmt: skip
        found["counselors"] = list(p.counselors)
    else:
        assert isinstance(p.shape, Rotation)
        every = f"{p.shape.every.amount}{p.shape.every.unit}"
        found["rotation"] = {"start": _wall(p.shape.start), "every": every,
                             "counselors": list(p.counselors)}  # fmt: skip
    return found


def _wall(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def fill(database: Database, passwords: Passwords) -> None:
    rota = build_rota(random.Random(15), 730)
    year_ago = now() - timedelta(days=365)
    with database.write() as db:
        import_configuration(db, configuration(rota), year_ago)
        line = db.scalars(select(Hotline)).one()
        first = db.scalars(select(RotaVersion)).one()
        document = first.document
        # A version a day for the past year (a re-plan each time: a day's override moved).
        for day in range(1, 365):
            document = {**document, "overrides": document["overrides"][1:]
                        + document["overrides"][:1]}  # fmt: skip
            db.add(RotaVersion(hotline_id=line.id, number=day + 1,
                               saved_at=year_ago + timedelta(days=day),
                               content_hash=content_hash(document), document=document))  # fmt: skip
        db.add(RotaVersion(hotline_id=line.id, number=366, saved_at=now() - timedelta(hours=1),
                           content_hash=first.content_hash, document=first.document))  # fmt: skip
        create_user(db, passwords, NewUser("op", "operator", "pw-op-0123456"), now(),
                    actor="bench")  # fmt: skip


def timed(work: Callable[[], Any], runs: int) -> tuple[float, float]:
    work()  # warm: the first request compiles templates and fills the per-process index
    found = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        found.append((time.perf_counter() - began) * 1e3)
    found.sort()
    return statistics.median(found), found[min(len(found) - 1, int(len(found) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID))
    with tempfile.TemporaryDirectory() as home:
        url = f"sqlite:///{home}/desk.db"
        database = Database.from_url(url)
        upgrade(database.engine)
        fill(database, passwords)
        settings = Settings.from_env({**TEST_ENV, "HOTLINE_DATABASE_URL": url})
        app = create_app(settings, database, spool_dir=Path(home) / "spool")
        app.extensions["hotline.accounts"].passwords = passwords
        browser = Browser(app)
        assert browser.sign_in({"username": "op", "password": "pw-op-0123456"}).status_code == 302
        month = now().astimezone(UTC).date().replace(day=1).isoformat()
        edit = browser.get("/rota/override?line=big")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', edit.text)
        assert token is not None
        day = (now() + timedelta(days=3)).strftime("%Y-%m-%d")
        form = {"csrf_token": token.group(1), "tier": "1", "start": f"{day}T08:00",
                "end": f"{day}T20:00", "counselors": ["counselor-007"],
                "action": "preview"}  # fmt: skip

        def board() -> None:
            assert browser.get("/board/state?line=big").status_code == 200

        def calendar() -> None:
            assert browser.get(f"/rota/calendar?line=big&day={month}").status_code == 200

        def preview() -> None:
            answer = browser.client.post("/rota/override?line=big", data=form)
            assert answer.status_code == 200, answer.text[:500]
            assert "data-preview" in answer.text

        print("rota desk, SQLite, 300 counselors, a year of daily versions (median / p95 ms)")
        for name, work, target in (("board JSON", board, 50), ("month calendar", calendar, 200),
                                   ("override preview", preview, 300)):  # fmt: skip
            median, p95 = timed(work, runs)
            print(f"  {name:18} {median:7.1f} / {p95:7.1f}   target < {target} ms")
        database.dispose()


if __name__ == "__main__":
    main()
