"""Typed settings, read from the environment once; one error names every problem."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///instance/hotline.db"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
DEFAULT_SPOOL_DIR = "instance/spool"
# The project's own instance folder (beside this file): the demo's home, wherever the user stands.
INSTANCE_DIR = Path(__file__).resolve().parent / "instance"
DEMO_SECRETS_NAME = "demo-secrets.json"

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_KEY = re.compile(r"^v([0-9]{1,6}):([0-9a-fA-F]{64,})$")
_DATA_KEY = re.compile(r"^v([0-9]{1,6}):([0-9a-fA-F]{64})$")  # AES-256: exactly 32 bytes
_TWILIO_TOKEN = re.compile(r"^[0-9a-fA-F]{32}$")
MIN_SECRET_KEY_LENGTH = 32
_URL_SCHEMES = ("http://", "https://")
_MESSAGING_SERVICE = re.compile(r"^MG[0-9a-fA-F]{32}$")
_PLUGIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$")
_SMTP = re.compile(r"^smtps?://([^@/]+@)?[^:/@]+(:[0-9]{1,5})?/?$")


class SettingsError(ValueError):
    """Start-up cannot go on: every problem found, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid settings:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True, slots=True)
class PseudonymKey:
    """A versioned HMAC key; the version prefixes every pseudonym made with it."""

    version: int
    secret: bytes

    def __repr__(self) -> str:  # never print the secret, even in a traceback
        return f"PseudonymKey(version={self.version}, secret=<hidden>)"


@dataclass(frozen=True, slots=True)
class DataKey:
    """A versioned AES-256 key that seals secrets kept in the database (HOTLINE_DATA_KEY)."""

    version: int
    secret: bytes

    def __repr__(self) -> str:  # never print the secret, even in a traceback
        return f"DataKey(version={self.version}, secret=<hidden>)"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    public_url: str
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_auth_token_previous: str | None
    pseudonym_key: PseudonymKey
    pseudonym_key_previous: PseudonymKey | None
    data_key: DataKey
    data_key_previous: DataKey | None
    secret_key: str
    fallback_number: str
    retention_days: int
    notes_retention_days: int
    audit_retention_days: int
    outbox_retention_days: int
    totp_issuer: str
    proxy_hops: int
    demo: bool
    outbound: str = "send"
    sms_provider: str = "twilio"
    sms_from: str | None = None
    smtp_url: str | None = None
    mail_from: str | None = None
    message_budget_per_day: int = 20
    spool_dir: str = DEFAULT_SPOOL_DIR
    # Follow-up care (issue 16): bookings, referrals and student cases, in days.
    booking_retention_days: int = 1095
    referral_retention_days: int = 1095
    case_retention_days: int = 1095
    # Published statistics reports (issue 13): counts from 1 to this are suppressed.
    report_suppress_up_to: int = 10

    def __repr__(self) -> str:
        return (
            f"Settings(database_url={_redact_url(self.database_url)!r}, "
            f"public_url={self.public_url!r}, demo={self.demo}, outbound={self.outbound!r})"
        )

    @property
    def auth_tokens(self) -> tuple[str, ...]:
        """Tokens a webhook signature may be made with: the current one first."""
        previous = (self.twilio_auth_token_previous,) if self.twilio_auth_token_previous else ()
        return (self.twilio_auth_token, *previous)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, secrets_file: Path | None = None
    ) -> Settings:
        """Read and check every setting; raise `SettingsError` listing all problems at once.

        In demo mode, missing secrets are generated once and kept in `secrets_file` (default:
        beside the demo database, see `demo_secrets_file`) so restarts keep sessions and
        pseudonyms; and an unset database or spool folder is the project's own instance folder,
        so a demo command run from any directory uses the demo and leaves nothing behind there.
        """
        env = dict(os.environ if environ is None else environ)
        demo = env.get("HOTLINE_DEMO", "") == "1"
        if demo:
            env = {**_demo_defaults(), **_present(env)}
            found = secrets_file or demo_secrets_file(env["HOTLINE_DATABASE_URL"])
            env = {**_demo_secrets(found), **env}
        problems: list[str] = []
        reader = _Reader(env, problems, demo=demo)
        retention = reader.positive_int("HOTLINE_RETENTION_DAYS", 1095)
        settings = cls(
            database_url=reader.text("HOTLINE_DATABASE_URL", DEFAULT_DATABASE_URL),
            public_url=reader.public_url(),
            twilio_account_sid=reader.required("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=reader.twilio_token("TWILIO_AUTH_TOKEN", required=True),
            twilio_auth_token_previous=reader.twilio_token(
                "TWILIO_AUTH_TOKEN_PREVIOUS", required=False
            )
            or None,
            pseudonym_key=reader.key("HOTLINE_PSEUDONYM_KEY", required=True)
            or PseudonymKey(0, b""),
            pseudonym_key_previous=reader.key("HOTLINE_PSEUDONYM_KEY_PREVIOUS", required=False),
            data_key=reader.data_key("HOTLINE_DATA_KEY", required=True) or DataKey(0, b""),
            data_key_previous=reader.data_key("HOTLINE_DATA_KEY_PREVIOUS", required=False),
            secret_key=reader.secret_key("HOTLINE_SECRET_KEY"),
            fallback_number=reader.e164("HOTLINE_FALLBACK_NUMBER"),
            retention_days=retention,
            notes_retention_days=reader.positive_int("HOTLINE_NOTES_RETENTION_DAYS", retention),
            audit_retention_days=reader.positive_int("HOTLINE_AUDIT_RETENTION_DAYS", retention),
            outbox_retention_days=reader.positive_int("HOTLINE_OUTBOX_RETENTION_DAYS", 90),
            totp_issuer=reader.text("HOTLINE_TOTP_ISSUER", "Hotline"),
            proxy_hops=reader.count("HOTLINE_PROXY_HOPS", 0),
            demo=demo,
            outbound=reader.choice(
                "HOTLINE_OUTBOUND", ("send", "record"), "record" if demo else "send"
            ),
            sms_provider=reader.sms_provider(),
            sms_from=env.get("HOTLINE_SMS_FROM") or None,
            smtp_url=reader.smtp_url(),
            mail_from=env.get("HOTLINE_MAIL_FROM") or None,
            spool_dir=reader.text("HOTLINE_SPOOL_DIR", DEFAULT_SPOOL_DIR),
            message_budget_per_day=reader.positive_int(
                "HOTLINE_MESSAGE_BUDGET_PER_DAY", 20, unit="messages"
            ),
            booking_retention_days=reader.positive_int("HOTLINE_BOOKING_RETENTION_DAYS", retention),
            referral_retention_days=reader.positive_int(
                "HOTLINE_REFERRAL_RETENTION_DAYS", retention
            ),
            case_retention_days=reader.positive_int("HOTLINE_CASE_RETENTION_DAYS", retention),
            report_suppress_up_to=reader.positive_int(
                "HOTLINE_REPORT_SUPPRESS_UP_TO", 10, unit="calls"
            ),
        )
        _check_outbound(settings, problems)
        _check_rotations(settings, problems)
        if problems:
            raise SettingsError(problems)
        return settings


def _check_outbound(settings: Settings, problems: list[str]) -> None:
    """What `send` needs: a sender for SMS through Twilio, a From address for e-mail."""
    if settings.outbound != "send":
        return
    if settings.sms_provider == "twilio":
        if not settings.sms_from:
            problems.append(
                "HOTLINE_SMS_FROM: required when SMS go out through Twilio "
                "(or set HOTLINE_SMS_PROVIDER=none)"
            )
        elif not (_E164.match(settings.sms_from) or _MESSAGING_SERVICE.match(settings.sms_from)):
            problems.append(
                "HOTLINE_SMS_FROM: must be a Twilio number (E.164) "
                "or a Messaging Service SID (MG...)"
            )
    if settings.smtp_url and not settings.mail_from:
        problems.append("HOTLINE_MAIL_FROM: required with HOTLINE_SMTP_URL")
    if settings.mail_from and "@" not in settings.mail_from:
        problems.append("HOTLINE_MAIL_FROM: must be an e-mail address")


def _check_rotations(settings: Settings, problems: list[str]) -> None:
    """A previous key is told apart from the current one by its version alone."""
    pairs = (
        ("HOTLINE_PSEUDONYM_KEY", settings.pseudonym_key, settings.pseudonym_key_previous),
        ("HOTLINE_DATA_KEY", settings.data_key, settings.data_key_previous),
    )
    for name, current, previous in pairs:
        if previous is not None and previous.version == current.version:
            problems.append(f"{name}_PREVIOUS: must have another version than {name}")


def _present(env: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if value != ""}


class _Reader:
    """Reads one variable at a time, noting problems instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str], problems: list[str], *, demo: bool) -> None:
        self.env = env
        self.problems = problems
        self.demo = demo

    def text(self, name: str, default: str) -> str:
        return self.env.get(name) or default

    def required(self, name: str) -> str:
        value = self.env.get(name, "")
        if not value:
            self.problems.append(f"{name}: required outside demo mode")
        return value

    def public_url(self) -> str:
        value = self.text("HOTLINE_PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/")
        if not value.startswith(_URL_SCHEMES) or "#" in value or "?" in value:
            self.problems.append(
                "HOTLINE_PUBLIC_URL: must be an http(s) base URL without query or fragment, "
                f"got {value!r}"
            )
        return value

    def e164(self, name: str) -> str:
        value = self.required(name)
        if value and not _E164.match(value):
            self.problems.append(f"{name}: must be an E.164 number like +8657400000000")
        return value

    def key(self, name: str, *, required: bool) -> PseudonymKey | None:
        found = self._versioned(name, required, _KEY, "at least 32 random bytes")
        return PseudonymKey(*found) if found else None

    def data_key(self, name: str, *, required: bool) -> DataKey | None:
        found = self._versioned(name, required, _DATA_KEY, "32 random bytes")
        return DataKey(*found) if found else None

    def _versioned(
        self, name: str, required: bool, pattern: re.Pattern[str], size: str
    ) -> tuple[int, bytes] | None:
        value = self._value(name, required)
        match = pattern.match(value) if value else None
        if value and match is None:
            self.problems.append(f"{name}: must be 'vN:' followed by {size} in hex (64 hex digits)")
        return (int(match.group(1)), bytes.fromhex(match.group(2))) if match else None

    def _value(self, name: str, required: bool) -> str:
        return self.required(name) if required else self.env.get(name, "")

    def secret_key(self, name: str) -> str:
        """Signs sessions: a short one could be guessed offline from any cookie."""
        value = self.required(name)
        if value and not self.demo and len(value) < MIN_SECRET_KEY_LENGTH:
            self.problems.append(
                f"{name}: must be at least {MIN_SECRET_KEY_LENGTH} random characters, "
                f"got {len(value)}"
            )
        return value

    def twilio_token(self, name: str, *, required: bool) -> str:
        """Twilio's auth tokens are 32 hex digits; anything else is a paste gone wrong."""
        value = self._value(name, required)
        if value and not self.demo and not _TWILIO_TOKEN.match(value):
            self.problems.append(
                f"{name}: must be the 32 hex digits of a Twilio auth token, "
                f"got {len(value)} characters"
            )
        return value

    def count(self, name: str, default: int) -> int:
        raw = self.env.get(name, "")
        if not raw:
            return default
        if not raw.isdigit() or int(raw) > 10:
            self.problems.append(f"{name}: must be a whole number from 0 to 10, got {raw!r}")
            return default
        return int(raw)

    def positive_int(self, name: str, default: int, *, unit: str = "days") -> int:
        raw = self.env.get(name, "")
        if not raw:
            return default
        if not raw.isdigit() or int(raw) < 1:
            self.problems.append(f"{name}: must be a whole number of {unit} >= 1, got {raw!r}")
            return default
        return int(raw)

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.env.get(name) or default
        if value not in allowed:
            self.problems.append(f"{name}: must be one of {', '.join(allowed)}, got {value!r}")
            return default
        return value

    def sms_provider(self) -> str:
        value = self.env.get("HOTLINE_SMS_PROVIDER") or "twilio"
        if value not in ("twilio", "none") and not _PLUGIN.match(value):
            self.problems.append(
                "HOTLINE_SMS_PROVIDER: must be twilio, none or package.module:factory, "
                f"got {value!r}"
            )
            return "none"
        return value

    def smtp_url(self) -> str | None:
        value = self.env.get("HOTLINE_SMTP_URL") or None
        if value is not None and not _SMTP.match(value):
            self.problems.append(
                "HOTLINE_SMTP_URL: must be smtp://user:password@host:port (STARTTLS) "
                "or smtps://user:password@host:port (TLS)"
            )
            return None
        return value


def _demo_defaults() -> dict[str, str]:
    """The demo's database and spool folder when unset: the project's instance folder (the one
    `make run` uses), never an `instance` folder of whatever directory a command is run from."""
    return {
        "HOTLINE_DATABASE_URL": f"sqlite:///{INSTANCE_DIR / 'hotline.db'}",
        "HOTLINE_SPOOL_DIR": str(INSTANCE_DIR / "spool"),
    }


def demo_secrets_file(database_url: str) -> Path:
    """Where the demo's generated secrets live: beside the SQLite database file they belong to
    (read as SQLite reads the URL), or in the project's instance folder for any other database."""
    found = re.match(r"^sqlite(\+[a-z0-9_]+)?:///([^?]*)", database_url)
    name = found.group(2) if found else ""
    if not name or name == ":memory:":
        return INSTANCE_DIR / DEMO_SECRETS_NAME
    return Path(name).parent / DEMO_SECRETS_NAME


def _demo_secrets(path: Path) -> dict[str, str]:
    """Load the demo's generated secrets, creating them on first use (demo mode only).

    A file from an older version lacks the secrets added since: those are generated and added,
    and the ones kept are never changed (they sign sessions and make pseudonyms).
    """
    kept: dict[str, str] = {}
    if path.exists():
        kept = json.loads(path.read_text(encoding="utf-8"))
    generated = {
        "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "HOTLINE_PSEUDONYM_KEY": "v1:" + secrets.token_hex(32),
        "HOTLINE_DATA_KEY": "v1:" + secrets.token_hex(32),
        "HOTLINE_SECRET_KEY": secrets.token_hex(32),
        "HOTLINE_FALLBACK_NUMBER": "+8657400000000",
    }
    complete = {**generated, **kept}
    if complete != kept:
        _write_owner_only(path, complete)
    return complete


def _write_owner_only(path: Path, values: dict[str, str]) -> None:
    """Owner-only permissions from the start: these are real secrets of the demo instance."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".new")
    fresh.unlink(missing_ok=True)
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(values, out, indent=2)
    fresh.replace(path)  # whole or not at all: a crash never leaves half a file


def _redact_url(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
