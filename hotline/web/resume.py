"""Without a session: a page leads to sign-in and back; an outcome sent after the session ended
comes back in hidden fields of a sign-in page (never a URL, a cookie or a log), and signing in
there shows the form filled in, to be saved as any form is (CSRF too)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from hotline.accounts.login import Verdict
from hotline.web import signin
from hotline.web.comeback import asked_path, local_path
from hotline.web.context import me
from hotline.web.forms import AgainForm
from hotline.web.outcomes import kept_form

resume = Blueprint("resume", __name__)
Page = str | tuple[str, int] | Response
_FAILED = {Verdict.WRONG: 401, Verdict.THROTTLED: 429}
_KEPT = frozenset({"outcomes.form"})  # forms whose typed values outlive the session
_PRIVATE = frozenset({"csrf_token", "username", "password", "code"})


def unauthorized() -> Response:
    """The answer to a request without a (live) session."""
    if request.method == "GET":
        return redirect(url_for("auth.login", next=asked_path()))
    if request.endpoint in _KEPT and _from_this_site():
        page = _again_page(AgainForm(formdata=None), asked_path(), _typed(request.form.items(True)))
        return Response(page, 401, mimetype="text/html")
    return Response(render_template("signed_out.html"), 401, mimetype="text/html")


@resume.post("/login/again")
def sign_in_again() -> Page:
    back = local_path(request.args.get("next"))
    if back is None:
        abort(400)
    form, typed = AgainForm(), _typed(request.form.items(True))
    if not form.validate_on_submit():
        return _again_page(form, back, typed), 400
    verdict = _sign_in(form)
    # Signing in replaces the session: the token made for this request belongs to the old one,
    # so a page shown now needs a form (and a token) made afresh.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    if verdict is not Verdict.OK:
        return _again_page(AgainForm(), back, typed, failed=verdict.value), _FAILED[verdict]
    return _come_back(back)


def _sign_in(form: AgainForm) -> Verdict:
    """Password, then the code of the second factor when the account has one."""
    verdict, step = signin.password_step(form.username.data, form.password.data)
    if step is None or current_user.is_authenticated:
        return verdict
    return signin.code_step(form.code.data or "") if signin.pending_username() else Verdict.WRONG


def _come_back(back: str) -> Page:
    """The kept form, filled in, when the page asked for is one; else that page."""
    try:
        endpoint, args = current_app.url_map.bind("").match(urlsplit(back).path, method="POST")
    except HTTPException:
        return redirect(back)
    if endpoint == "outcomes.form" and me().role == "counselor":
        return kept_form(int(args["call_id"]))
    return redirect(back)


def _again_page(
    form: AgainForm, back: str, typed: list[tuple[str, str]], failed: str | None = None
) -> str:
    action = url_for("resume.sign_in_again", next=back)
    return render_template(
        "sign_in_again.html", form=form, action=action, typed=typed, failed=failed
    )


def _typed(fields: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The values of the form that was sent, without its token or any credential."""
    return [(name, value) for name, value in fields if name not in _PRIVATE]


def _from_this_site() -> bool:
    """Echo typed values only into our own page: a form on another site posting here gets the
    plain answer (its values could otherwise be passed off as the counselor's own)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")
