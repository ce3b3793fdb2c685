"""`hotline token add|revoke`: bearer tokens of the read-only API (`/api/v1/`)."""

from __future__ import annotations

import click

from hotline.api.tokens import (
    DEFAULT_RATE_PER_SECOND,
    SCOPES,
    TokenDigests,
    TokenProblem,
    add_token,
    revoke_token,
)
from hotline.cli.context import database, fail, settings, write
from hotline.clock import now
from hotline.records import audit


@click.group()
def token() -> None:
    """API tokens for other systems (the hospital's, a wall screen)."""


@token.command("add")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(SCOPES),
    help="phones: answers include the counselors' phone numbers.",
)
@click.option(
    "--rate",
    type=click.IntRange(1, 1_000_000),
    default=DEFAULT_RATE_PER_SECOND,
    show_default=True,
    help="Requests a second (and at once) this token may make.",
)
def token_add(name: str, scopes: tuple[str, ...], rate: int) -> None:
    """Make a token and print it alone, once: only a digest of it is kept."""
    at = now()
    with database().write() as session:
        try:
            made = add_token(session, TokenDigests.of(settings()), name, scopes, rate, at)
        except TokenProblem as exc:
            fail(str(exc))
        detail = {"scopes": sorted(set(scopes)), "rate": rate}
        audit.record(session, at, "api-token-add", actor="cli", target=name, detail=detail)
    write(made)
    click.echo(f"token {name!r} made; it is shown this once", err=True)


@token.command("revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """Revoke the token NAME: refused from its next request on, in every process."""
    at = now()
    with database().write() as session:
        if not revoke_token(session, name, at):
            fail(f"no token named {name!r} in use")
        audit.record(session, at, "api-token-revoke", actor="cli", target=name)
    click.echo(f"token {name!r} revoked", err=True)
