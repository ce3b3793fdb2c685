"""The configuration in force as YAML, in the file format; importing it back changes nothing."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Counselor, Hotline, Leave, Partner, RotaOverride, RotaPattern


def export_configuration(session: Session) -> str:
    lines = session.scalars(select(Hotline).order_by(Hotline.position)).all()
    line_keys = {line.id: line.key for line in lines}
    staff = session.scalars(select(Counselor).order_by(Counselor.position)).all()
    staff_keys = {person.id: person.key for person in staff}
    document: dict[str, Any] = {
        "hotlines": [_hotline(line) for line in lines],
        "partners": [
            {"key": p.key, "name": p.name}
            for p in session.scalars(select(Partner).order_by(Partner.position))
        ],
        "counselors": [_counselor(person) for person in staff],
        "rota": [
            _pattern(p, line_keys[p.hotline_id])
            for p in session.scalars(select(RotaPattern).order_by(RotaPattern.position))
        ],
        "overrides": [
            _keyed(
                o.key,
                {
                    "hotline": line_keys[o.hotline_id],
                    "tier": o.tier,
                    "start": o.start,
                    "end": o.end,
                    "counselors": list(o.counselors),
                },
            )
            for o in session.scalars(select(RotaOverride).order_by(RotaOverride.position))
        ],
        "leave": [
            _keyed(v.key, {"counselor": staff_keys[v.counselor_id], "start": v.start, "end": v.end})
            for v in session.scalars(select(Leave).order_by(Leave.position))
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def _hotline(line: Hotline) -> dict[str, Any]:
    values: dict[str, Any] = {
        "key": line.key,
        "name": line.name,
        "number": line.number,
        "timezone": line.timezone,
        "language": line.language,
        "ring_seconds": line.ring_seconds,
        "max_wait_seconds": line.max_wait_seconds,
        "ring_strategy": line.ring_strategy,
        "overflow": list(line.overflow),
    }
    if line.fallback_number:
        values["fallback_number"] = line.fallback_number
    if line.closing_message:
        values["closing_message"] = line.closing_message
    if line.alert_escalation_minutes != 10:
        values["alert_escalation_minutes"] = line.alert_escalation_minutes
    if not line.message_links:
        values["message_links"] = False
    if line.auto_approve_swaps:
        values["auto_approve_swaps"] = True
    if line.service_hours is not None:
        values["service_hours"] = [dict(window) for window in line.service_hours]
    if line.coverage_rules is not None:
        values["coverage_rules"] = line.coverage_rules
    return values


def _counselor(person: Counselor) -> dict[str, Any]:
    values: dict[str, Any] = {
        "key": person.key,
        "name": person.name,
        "phone": person.phone,
        "qualifications": list(person.qualifications),
        "languages": list(person.languages),
    }
    if not person.active:
        values["active"] = False
    return values


def _pattern(row: RotaPattern, hotline: str) -> dict[str, Any]:
    values: dict[str, Any] = {"hotline": hotline, "tier": row.tier}
    if row.kind == "weekly":
        values["weekly"] = dict(row.spec)
        values["counselors"] = list(row.counselors)
    else:
        values["rotation"] = {**row.spec, "counselors": list(row.counselors)}
    if row.valid_from:
        values["from"] = row.valid_from
    if row.valid_until:
        values["until"] = row.valid_until
    return _keyed(row.key, values)


def _keyed(key: str | None, values: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, **values} if key else values
