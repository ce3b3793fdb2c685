"""The API's description (OpenAPI 3.1), served at `/api/v1/openapi.json`; a test holds the real
answers to it."""

from __future__ import annotations

from typing import Any

from hotline.api.tokens import DEFAULT_RATE_PER_SECOND

Schema = dict[str, Any]
_UTC = {"type": "string", "format": "date-time", "description": "an instant in UTC (Z)"}
_LOCAL = {"type": "string", "format": "date-time", "description": "on the line's wall clock"}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(name: str) -> Schema:
    return {"type": "array", "items": _ref(name)}


def _object(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


SCHEMAS: dict[str, Schema] = {
    "Error": _object({"error": {"type": "string"}}),
    "Line": _object(
        {
            "key": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
            "name": {"type": "string"},
            "timezone": {"type": "string", "description": "IANA zone"},
            "language": {"type": "string", "enum": ["zh-CN", "en"]},
        }
    ),
    "OnDutyCounselor": _object(
        {
            "counselor": {"type": "string"},
            "name": {"type": "string"},
            "phone": {
                "type": "string",
                "pattern": r"^\+[1-9][0-9]{1,14}$",
                "description": "E.164; only for tokens with the `phones` scope",
            },
        },
        optional=("phone",),
    ),
    "OnDuty": _object(
        {
            "hotline": {"type": "string"},
            "at": {"type": "string", "format": "date-time"},
            "tiers": {
                "type": "array",
                "description": "tier 1 first; each in the order its counselors are rung",
                "items": _list("OnDutyCounselor"),
            },
        }
    ),
    "Gap": _object(
        {
            "start": _UTC,
            "end": _UTC,
            "local_start": _LOCAL,
            "local_end": _LOCAL,
            "timezone": {"type": "string"},
        }
    ),
    "Shift": _object(
        {
            "counselor": {"type": "string"},
            "name": {"type": "string"},
            "tier": {"type": "integer", "minimum": 1},
            "start": _UTC,
            "end": _UTC,
            "local_start": _LOCAL,
            "local_end": _LOCAL,
        }
    ),
    "Violation": _object(
        {
            "rule": {
                "type": "string",
                "enum": [
                    "tier-1-staffed",
                    "qualified",
                    "max-consecutive-nights",
                    "min-rest",
                    "max-weekly-hours",
                ],
            },
            "start": _UTC,
            "end": _UTC,
            "detail": {"type": "string"},
            "counselor": {"type": ["string", "null"]},
            "local_start": _LOCAL,
            "local_end": _LOCAL,
        }
    ),
}


def _parameter(name: str, where: str, description: str, schema: Schema) -> Schema:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


_KEY = _parameter("key", "path", "the line's key", {"type": "string"})
_MOMENT = {"type": "string", "example": "2026-12-24T08:00"}
_WALL = "ISO-8601; without an offset, the line's wall clock"
_DAYS = {"type": "integer", "minimum": 1, "maximum": 366}


def _answers(ok: Schema, description: str, *codes: int) -> dict[str, Any]:
    words = {
        400: "a bad instant, window or number",
        401: "no valid token (missing, unknown or revoked)",
        404: "no line has this key",
        429: "past the token's rate; `Retry-After` says when to ask again",
        503: "the database is not available",
    }
    found: dict[str, Any] = {
        "200": {"description": description, "content": {"application/json": {"schema": ok}}}
    }
    for code in codes:
        found[str(code)] = {
            "description": words[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        if code in (429, 503):
            found[str(code)]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return found


_EVERY = (401, 429, 503)
_LINE = (400, 401, 404, 429, 503)


def _get(summary: str, parameters: list[Schema], answers: dict[str, Any]) -> Schema:
    return {"get": {"summary": summary, "parameters": parameters, "responses": answers}}


PATHS: dict[str, Schema] = {
    "/api/v1/lines": _get(
        "Every line: key and name", [], _answers(_list("Line"), "the lines", *_EVERY)
    ),
    "/api/v1/lines/{key}/on-duty": _get(
        "Who is on duty at an instant (as `hotline rota on-duty`)",
        [_KEY, _parameter("at", "query", _WALL + "; default now", _MOMENT)],
        _answers(_ref("OnDuty"), "the tiers on duty", *_LINE),
    ),
    "/api/v1/lines/{key}/gaps": _get(
        "Where tier 1 has nobody (as `hotline rota gaps`)",
        [
            _KEY,
            _parameter("from", "query", _WALL + "; default now", _MOMENT),
            _parameter("days", "query", "length of the window; default 7", _DAYS),
        ],
        _answers(_list("Gap"), "merged, half-open gaps, clipped to the window", *_LINE),
    ),
    "/api/v1/lines/{key}/shifts": _get(
        "Each counselor's duty per tier over a window (at most 92 days)",
        [
            _KEY,
            _parameter("from", "query", _WALL + "; default now", _MOMENT),
            _parameter("to", "query", _WALL + "; default 7 days after `from`", _MOMENT),
        ],
        _answers(_list("Shift"), "shifts, cut at the window's edges", *_LINE),
    ),
    "/api/v1/lines/{key}/violations": _get(
        "The line's coverage-rule violations from now on (as `hotline rota check --json`)",
        [_KEY, _parameter("days", "query", "length of the window; default 28", _DAYS)],
        _answers(_list("Violation"), "violations overlapping the window", *_LINE),
    ),
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This description (no token needed)",
            "security": [],
            "responses": {
                "200": {
                    "description": "OpenAPI 3.1",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hotline read-only API",
            "version": "1",
            "description": (
                "Who is on duty, gaps, shifts and coverage-rule violations of each line. "
                "Tokens: `hotline token add NAME [--scope phones]`. Each token may make "
                f"{DEFAULT_RATE_PER_SECOND} requests a second unless made with another rate."
            ),
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": PATHS,
    }
