"""The edge's own signature check gives the answers of twilio's `RequestValidator.validate`.

The check is written out for speed (see `webhooks.signature`); the SDK stays the oracle: for
any form, path, query, port and algorithm, both accept and refuse the same requests.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Flask, Request
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, RequestValidator

from webhooks.signature import SETTINGS_HEADER, SIGNATURE_HEADER, SignatureCheck, signed_url

TOKEN = "12345"
OLD_TOKEN = "67890"
DOC_FORM = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675310",
    "Digits": "1234",
    "From": "+14158675310",
    "To": "+18005551212",
}
_app = Flask(__name__)

names = st.text(alphabet="AaBbCcDdZz_1", min_size=1, max_size=8)
values = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
)
forms = st.lists(st.tuples(names, values), max_size=8)
bases = st.sampled_from(
    [
        "https://hotline.example.org",
        "https://hotline.example.org:443",
        "https://hotline.example.org:8443",
        "http://127.0.0.1:8000",
        "http://hotline.example.org",
        "https://hotline.example.org/prefix",
    ]
)
paths = st.sampled_from(["/webhooks/voice/incoming", "/webhooks/voice/screen/choice"])
queries = st.sampled_from(["", "round=0&step=1", "round=1&step=2&target=c%C3%A9", "x=%2F"])


def _request(
    path: str, query: str, form: list[tuple[str, str]], headers: dict[str, str]
) -> Request:
    body = urlencode(form)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
    }
    with _app.test_request_context(environ_overrides=environ, data=body, headers=headers) as ctx:
        request = ctx.request
        request.form  # noqa: B018  (parsed while the context is open)
        return request


def _sdk_accepts(base: str, request: Request, token: str, algorithm: str | None) -> bool:
    url = signed_url(base, request)
    return bool(RequestValidator(token).validate(url, request.form, _signature(request), algorithm))


def _signature(request: Request) -> str:
    return request.headers.get(SIGNATURE_HEADER, "")


@settings(max_examples=300, deadline=None)
@given(
    base=bases,
    signed_base=bases,
    path=paths,
    query=queries,
    form=forms,
    tampered=st.booleans(),
    sha256=st.booleans(),
)
def test_the_check_agrees_with_twilios_validator(
    base: str,
    signed_base: str,
    path: str,
    query: str,
    form: list[tuple[str, str]],
    tampered: bool,
    sha256: bool,
) -> None:
    algorithm = HMAC_SHA256 if sha256 else HMAC_SHA1
    url = signed_base + quote(path) + (f"?{query}" if query else "")
    signed_form: dict[str, list[str]] = {}
    for name, value in form:
        signed_form.setdefault(name, []).append(value)
    signature = RequestValidator(TOKEN).compute_signature(url, _Multi(signed_form), algorithm)
    sent = [*form, ("Extra", "added on the way")] if tampered else form
    headers = {SIGNATURE_HEADER: signature}
    if sha256:
        headers[SETTINGS_HEADER] = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
    request = _request(path, query, sent, headers)
    ours = SignatureCheck(base, (TOKEN,)).accepts(request)
    assert ours == _sdk_accepts(base, request, TOKEN, algorithm)
    if base == signed_base and not tampered:
        assert ours  # the generator does produce requests that must pass


def test_twilios_documented_example_passes_and_a_changed_value_fails() -> None:
    check = SignatureCheck("https://example.com", (TOKEN,))
    headers = {SIGNATURE_HEADER: "L/OH5YylLD5NRKLltdqwSvS0BnU="}
    assert check.accepts(_request("/myapp.php", "foo=1&bar=2", list(DOC_FORM.items()), headers))
    changed = [*DOC_FORM.items(), ("Digits", "9")]
    assert not check.accepts(_request("/myapp.php", "foo=1&bar=2", changed, headers))


def test_the_previous_token_still_passes_and_others_do_not() -> None:
    url = "https://hotline.example.org/webhooks/voice/incoming"
    form = list(DOC_FORM.items())
    check = SignatureCheck("https://hotline.example.org", (TOKEN, OLD_TOKEN))
    for token, accepted in ((TOKEN, True), (OLD_TOKEN, True), ("other", False)):
        signature = RequestValidator(token).compute_signature(url, dict(form))
        request = _request("/webhooks/voice/incoming", "", form, {SIGNATURE_HEADER: signature})
        assert check.accepts(request) is accepted


def test_no_signature_or_an_unknown_algorithm_is_refused() -> None:
    url = "https://hotline.example.org/webhooks/voice/incoming"
    form = list(DOC_FORM.items())
    signature = RequestValidator(TOKEN).compute_signature(url, dict(form))
    check = SignatureCheck("https://hotline.example.org", (TOKEN,))
    assert not check.accepts(_request("/webhooks/voice/incoming", "", form, {}))
    unknown = {SIGNATURE_HEADER: signature, SETTINGS_HEADER: "key=k,algorithm=HMAC_MD5"}
    assert not check.accepts(_request("/webhooks/voice/incoming", "", form, unknown))


class _Multi(dict[str, list[str]]):
    """What the SDK reads a repeated form field from (`getlist`), as Werkzeug's MultiDict."""

    def getlist(self, name: str) -> list[str]:
        return self[name]
