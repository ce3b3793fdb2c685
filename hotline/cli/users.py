"""`hotline user add|role|deactivate|reset-totp`: accounts (each change is audited)."""

from __future__ import annotations

import sys

import click

from hotline.accounts import enrolment
from hotline.accounts.passwords import Passwords, WeakPassword
from hotline.accounts.users import BadAccount, NewUser, create_user, deactivate, find_user, set_role
from hotline.cli.context import database, fail
from hotline.clock import now
from hotline.records.vocabulary import ROLES

CLI_ACTOR = "cli"


@click.group("user")
def user() -> None:
    """Accounts of the web app."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--counselor", "counselor", help="The counselor key (counselor accounts only).")
@click.option("--hotline", "hotlines", multiple=True, help="A line this operator/supervisor sees.")
@click.option("--phone", help="E.164 number alerts are sent to.")
@click.option("--email", help="Address alerts are sent to.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add(
    username: str,
    role: str,
    counselor: str | None,
    hotlines: tuple[str, ...],
    phone: str | None,
    email: str | None,
    password_stdin: bool,
) -> None:
    """Add USERNAME with a role; the password comes from a prompt or standard input."""
    password = _read_password(password_stdin)
    new = NewUser(username, role, password, counselor, hotlines, phone, email)
    try:
        with database().write() as db:
            create_user(db, Passwords(), new, now(), actor=CLI_ACTOR)
    except (BadAccount, WeakPassword) as problem:
        fail(str(problem))
    click.echo(f"user {username} added as {role}", err=True)


@user.command("role")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
def user_role(username: str, role: str) -> None:
    """Change the role of USERNAME (their sessions end)."""
    with database().write() as db:
        found = find_user(db, username)
        if found is None:
            fail(f"no user {username!r}")
        try:
            set_role(db, found, role, now(), actor=CLI_ACTOR)
        except BadAccount as problem:
            fail(str(problem))
    click.echo(f"user {username} is now {role}", err=True)


@user.command("deactivate")
@click.argument("username")
def user_deactivate(username: str) -> None:
    """USERNAME can no longer sign in; their sessions end now."""
    with database().write() as db:
        found = find_user(db, username)
        if found is None:
            fail(f"no user {username!r}")
        deactivate(db, found, now(), actor=CLI_ACTOR)
    click.echo(f"user {username} deactivated", err=True)


@user.command("reset-totp")
@click.argument("username")
def user_reset_totp(username: str) -> None:
    """USERNAME enrols a new second factor at the next sign-in (a lost or stolen phone); their
    recovery codes stop working and their sessions end now."""
    with database().write() as db:
        found = find_user(db, username)
        if found is None:
            fail(f"no user {username!r}")
        enrolment.reset(db, found, now(), actor=CLI_ACTOR)
    click.echo(f"user {username} enrols a new second factor at the next sign-in", err=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    entered: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered
