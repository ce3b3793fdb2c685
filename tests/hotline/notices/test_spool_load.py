"""`spool-load`: the backstop applies what the call path spooled, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from hotline.jobs.env import JobEnv
from hotline.jobs.spool import spool_load
from hotline.models import Call, Hotline
from hotline.spool import FALLBACK, Spool
from tests.conftest import RecordsWorld

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_spooled_calls_are_loaded_once_on_the_line_they_arrived_on(
    env: JobEnv, world: RecordsWorld, tmp_path: Path
) -> None:
    url = env.database.engine.url.render_as_string(hide_password=False)
    Spool.of(tmp_path, url).append(FALLBACK, AT, "CA" + "f" * 32, to="+8657463898070")
    job_env = replace(env, settings=replace(env.settings, spool_dir=str(tmp_path)))

    first = spool_load(job_env, AT)
    again = spool_load(job_env, AT)

    assert (first, again) == ({"events": 1}, {"events": 0})
    with env.database.read() as reading:
        call = reading.scalars(select(Call).where(Call.call_sid == "CA" + "f" * 32)).one()
        assert (call.hotline_id, call.result) == (world.ids(Hotline, "city"), "error")


def test_an_empty_spool_folder_loads_nothing(env: JobEnv, tmp_path: Path) -> None:
    job_env = replace(env, settings=replace(env.settings, spool_dir=str(tmp_path / "none")))

    assert spool_load(job_env, AT) == {"events": 0}
