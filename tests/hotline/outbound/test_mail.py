"""E-mail to a real SMTP server (aiosmtpd) on 127.0.0.1, with a self-signed certificate for TLS.

The certificate is made by the `openssl` command and trusted through `ssl_context` only.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from hotline.outbound.mail import SmtpMail
from hotline.outbound.port import Email, SendFailure

SENDER = "热线 <hotline@example.org>"
STAFF = "wang.li@example.org"
USER, PASSWORD = "hotline@example.org", "s3cret/with:odd@chars"
QUOTED = "hotline%40example.org:s3cret%2Fwith%3Aodd%40chars"
MESSAGE = Email(
    STAFF, "值班提醒：明天 08:00", "王丽您好，\n\n明天 08:00-16:00 您在慈溪市心理援助热线值班。"
)


@dataclass
class Inbox:
    """What the server received, and how it answers RCPT (`refuse`: a reply such as 550)."""

    refuse: str | None = None
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.messages.append(message_from_bytes(raw, _class=EmailMessage, policy=policy.default))
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login.decode(), data.password.decode()))
        ok = (data.login.decode(), data.password.decode()) == (USER, PASSWORD)
        return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class Certificate:
    server: ssl.SSLContext
    client: ssl.SSLContext  # trusts the self-signed certificate, as an operator would


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return Certificate(server, ssl.create_default_context(cafile=str(cert)))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def _server(inbox: Inbox, **options: Any) -> Iterator[int]:
    """A running SMTP server on 127.0.0.1; yields its port."""
    if "ssl_context" in options:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; smtps is TLS from the first byte.
        options.setdefault("auth_require_tls", False)
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        authenticator=inbox.authenticate,
        **options,
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _failure(mail: SmtpMail) -> SendFailure:
    with pytest.raises(SendFailure) as raised:
        mail.send_email(MESSAGE)
    return raised.value


def test_a_chinese_message_reaches_a_relay_on_this_machine() -> None:
    inbox = Inbox()
    with _server(inbox) as port:
        accepted = SmtpMail(f"smtp://127.0.0.1:{port}", SENDER).send_email(MESSAGE)

    [received] = inbox.messages
    assert received["Subject"] == MESSAGE.subject
    assert received["To"] == STAFF
    assert received["From"] == SENDER
    assert received.get_content().replace("\r\n", "\n").rstrip("\n") == MESSAGE.body
    assert (accepted.reference, accepted.status) == (received["Message-ID"], "sent")
    assert str(accepted.reference).endswith("@example.org>")


def test_starttls_comes_before_the_login_with_url_decoded_credentials(
    certificate: Certificate,
) -> None:
    inbox = Inbox()
    with _server(inbox, tls_context=certificate.server, require_starttls=True) as port:
        url = f"smtp://{QUOTED}@localhost:{port}"
        SmtpMail(url, SENDER, ssl_context=certificate.client).send_email(MESSAGE)

    assert inbox.logins == [(USER, PASSWORD)]
    assert [m["Subject"] for m in inbox.messages] == [MESSAGE.subject]


def test_smtps_speaks_tls_from_the_first_byte(certificate: Certificate) -> None:
    inbox = Inbox()
    with _server(inbox, ssl_context=certificate.server) as port:
        url = f"smtps://{QUOTED}@localhost:{port}"
        SmtpMail(url, SENDER, ssl_context=certificate.client).send_email(MESSAGE)

    assert inbox.logins == [(USER, PASSWORD)]
    assert len(inbox.messages) == 1


def test_credentials_are_never_sent_to_a_server_without_starttls() -> None:
    inbox = Inbox()
    with _server(inbox, auth_require_tls=False) as port:
        failure = _failure(SmtpMail(f"smtp://{QUOTED}@127.0.0.1:{port}", SENDER))

    assert failure.retryable is False
    assert "STARTTLS" in failure.describe()
    assert (inbox.logins, inbox.messages) == ([], [])


def test_a_certificate_nobody_trusts_is_a_setup_problem(certificate: Certificate) -> None:
    with _server(Inbox(), ssl_context=certificate.server) as port:
        failure = _failure(SmtpMail(f"smtps://{QUOTED}@localhost:{port}", SENDER))

    assert failure.retryable is False
    assert "certificate" in failure.describe()


def test_a_wrong_password_is_not_retried(certificate: Certificate) -> None:
    with _server(Inbox(), ssl_context=certificate.server) as port:
        url = f"smtps://{USER.replace('@', '%40')}:wrong@localhost:{port}"
        failure = _failure(SmtpMail(url, SENDER, ssl_context=certificate.client))

    assert (failure.code, failure.retryable) == ("535", False)
    assert "login" in failure.describe()


def test_a_recipient_refused_for_good_is_not_retried() -> None:
    inbox = Inbox(refuse=f"550 5.1.1 <{STAFF}>: Recipient address rejected")
    with _server(inbox) as port:
        failure = _failure(SmtpMail(f"smtp://127.0.0.1:{port}", SENDER))

    assert (failure.code, failure.retryable) == ("550", False)
    assert STAFF not in failure.describe()
    assert inbox.messages == []


def test_a_recipient_refused_for_now_is_retried() -> None:
    inbox = Inbox(refuse="451 4.3.0 Mailbox busy, try again later")
    with _server(inbox) as port:
        failure = _failure(SmtpMail(f"smtp://127.0.0.1:{port}", SENDER))

    assert (failure.code, failure.retryable) == ("451", True)


def test_a_server_that_is_not_listening_is_retried() -> None:
    failure = _failure(SmtpMail(f"smtp://127.0.0.1:{_free_port()}", SENDER, timeout=2))

    assert (failure.code, failure.retryable) == (None, True)
    assert "ConnectionRefusedError" in failure.describe()


def test_the_password_never_shows_in_the_providers_repr() -> None:
    assert "s3cret" not in repr(SmtpMail(f"smtps://{QUOTED}@localhost:465", SENDER))
