"""The administrator's pages: accounts (add, deactivate after a confirmation, reactivate, reset a
password) and the audit log. A new or reset password is set by its user, through a one-time
link shown here once; every change is audited."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline import clock
from hotline.accounts.password_links import link_token, reset_password, unusable_hash
from hotline.accounts.users import BadAccount, create_user, list_users, reactivate
from hotline.accounts.users import deactivate as deactivate_user
from hotline.models import User
from hotline.records.audit import audit_page
from hotline.web import labels
from hotline.web.account_forms import NewUserForm, show_refusal
from hotline.web.audit_filters import audit_filter_form
from hotline.web.calllog import page_links
from hotline.web.context import accounts, client_address, database, me, settings
from hotline.web.forms import ButtonForm

admin = Blueprint("admin", __name__, url_prefix="/admin")
Page = str | tuple[str, int] | Response


@admin.get("/users")
def users() -> str:
    with database().read() as db:  # rendered inside: a read transaction's rows expire after it
        return render_template(
            "users.html", users=list_users(db), button=ButtonForm(), labels=labels.ALL
        )


@admin.route("/users/new", methods=["GET", "POST"])
def new_user() -> Page:
    with database().write() as db:
        form = NewUserForm().offer(db)
        made = _add(db, form) if form.validate_on_submit() else None
        if made is not None:
            return _link_page(db, made, "new")
        page = render_template("user_new.html", form=form, labels=labels.ALL)
    return (page, 400) if form.is_submitted() else page


@admin.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate(user_id: int) -> Page:
    """GET: the confirmation; POST: done (the user's sessions end at once)."""
    with database().write() as db:
        user = _other_user(db, user_id)
        if request.method == "GET" and user.active:
            return _confirm_page(user, "deactivate")
        if user.active:
            deactivate_user(db, user, clock.now(), actor=me().username, source=client_address())
    return redirect(url_for("admin.users"))


@admin.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int) -> Response:
    with database().write() as db:
        user = _other_user(db, user_id)
        if not user.active:
            reactivate(db, user, clock.now(), actor=me().username, source=client_address())
    return redirect(url_for("admin.users"))


@admin.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset(user_id: int) -> Page:
    """GET: the confirmation; POST: the password stops working, and the link is shown once."""
    with database().write() as db:
        user = _other_user(db, user_id)
        if not user.active:
            return redirect(url_for("admin.users"))  # reactivate first
        if request.method == "GET":
            return _confirm_page(user, "reset")
        reset_password(db, user, clock.now(), actor=me().username, source=client_address())
        return _link_page(db, user, "reset")


@admin.get("/audit")
def audit() -> tuple[str, int]:
    """The audit log, newest first, a page of 100 at a time, filtered by who, what and when."""
    with database().read() as db:  # rendered inside: a read transaction's rows expire after it
        form = audit_filter_form(db)
        if not form.validate():
            return render_template("audit.html", form=form, page=None), 400
        page = audit_page(db, form.filters(), form.page.data or 1)
        links = page_links(page.page, page.has_next)
        return render_template("audit.html", form=form, page=page, links=links), 200


def _add(db: Session, form: NewUserForm) -> User | None:
    """The new account, without a usable password (its user sets one); None when refused."""
    try:
        return create_user(
            db,
            accounts().passwords,
            form.new_user(),
            clock.now(),
            actor=me().username,
            source=client_address(),
            password_hash=unusable_hash(),
        )
    except BadAccount as refusal:
        show_refusal(form, refusal)
        return None


def _other_user(db: Session, user_id: int) -> User:
    """Another user's account (one's own is changed on the account page); a POST needs its
    CSRF token (checked by CSRFProtect before any view)."""
    user = db.get(User, user_id)
    if user is None or user.username == me().username:
        abort(404)
    return user


def _confirm_page(user: User, what: str) -> str:
    return render_template("user_confirm.html", user=user, what=what, button=ButtonForm())


def _link_page(db: Session, user: User, why: str) -> str:
    """The one-time link, shown this once (never stored, never sent by the service)."""
    db.flush()
    token = link_token(settings().secret_key, user, clock.now())
    link = settings().public_url + url_for("passwords.set_by_link", token=token)
    return render_template("password_link.html", user=user, why=why, link=link)
