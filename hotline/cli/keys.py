"""`hotline keys rotate`: seal again, with HOTLINE_DATA_KEY, what older keys sealed."""

from __future__ import annotations

import click

from hotline.accounts.enrolment import SEALED_COLUMNS
from hotline.care.reminders import reseal_contacts
from hotline.cli.context import database, fail, settings, write
from hotline.secrets_at_rest import DataKeys, Resealed, reseal

# Every column of sealed values; a new one is added here too.
COLUMNS = (*SEALED_COLUMNS,)


@click.group("keys")
def keys() -> None:
    """The data key that seals secrets kept in the database."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt with HOTLINE_DATA_KEY every secret sealed with HOTLINE_DATA_KEY_PREVIOUS (and
    any left plain from before sealing); prints what it did per column. Safe to run again."""
    found = DataKeys.of(settings())
    reports: dict[str, Resealed] = {}
    with database().write() as db:
        for column in COLUMNS:
            reports[column.name] = reseal(db, found, column)
        # The callers' consented reminder numbers (hotline.care.reminders): written back only
        # where the sender has not erased them meanwhile, hence not a plain SealedColumn.
        reports["care reminder contacts"] = reseal_contacts(db, found)
    for name, report in reports.items():
        write(
            f"{name}: {report.resealed} re-encrypted, {report.current} already current, "
            f"{report.unreadable} unreadable"
        )
    unreadable = sum(report.unreadable for report in reports.values())
    if unreadable:
        fail(
            f"{unreadable} secret(s) open with neither HOTLINE_DATA_KEY nor "
            "HOTLINE_DATA_KEY_PREVIOUS: set the key they were sealed with as "
            "HOTLINE_DATA_KEY_PREVIOUS and run again, or reset them (hotline user reset-totp)"
        )
