"""E-mail through an SMTP server: smtp:// upgrades with STARTTLS, smtps:// is TLS from the start.

Credentials never cross the network in clear: without TLS on offer, nothing is sent.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from hotline.outbound.port import Accepted, Email, SendFailure

_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
_REFUSALS: dict[type[smtplib.SMTPResponseException], str] = {
    smtplib.SMTPAuthenticationError: "the mail server refused the login",
    smtplib.SMTPSenderRefused: "the mail server refused the sender",
    smtplib.SMTPDataError: "the mail server refused the message",
    smtplib.SMTPConnectError: "the mail server refused the connection",
}


class SmtpMail:
    """Sends one e-mail per connection (the outbox sends a few a day, not a mailing list)."""

    def __init__(
        self,
        url: str,
        sender: str,
        *,
        timeout: float = 10,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError("an SMTP URL is smtp://user:password@host:port or smtps://...")
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or _DEFAULT_PORTS[parts.scheme]
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password or "")
        self._sender = sender
        self._timeout = timeout
        self._ssl = ssl_context or ssl.create_default_context()

    def __repr__(self) -> str:  # never show the password, even in a traceback
        return f"SmtpMail(host={self._host!r}, port={self._port}, sender={self._sender!r})"

    def send_email(self, message: Email) -> Accepted:
        composed = self._compose(message)
        try:
            with self._connect() as smtp:
                self._secure(smtp)
                if self._user is not None:
                    smtp.login(self._user, self._password)
                smtp.send_message(composed)
        except (smtplib.SMTPException, OSError) as error:
            # `from None`: the server's reply may quote the recipient's address.
            raise _failure(error) from None
        return Accepted(reference=str(composed["Message-ID"]), status="sent")

    def _compose(self, message: Email) -> EmailMessage:
        composed = EmailMessage()
        composed["From"] = self._sender
        composed["To"] = message.to
        composed["Subject"] = message.subject
        composed["Date"] = formatdate(usegmt=True)
        _, at, domain = parseaddr(self._sender)[1].rpartition("@")
        composed["Message-ID"] = make_msgid(domain=domain if at else None)
        composed.set_content(message.body, charset="utf-8")
        return composed

    def _connect(self) -> smtplib.SMTP:
        if self._implicit_tls:
            return smtplib.SMTP_SSL(
                self._host, self._port, timeout=self._timeout, context=self._ssl
            )
        return smtplib.SMTP(self._host, self._port, timeout=self._timeout)

    def _secure(self, smtp: smtplib.SMTP) -> None:
        """Upgrade smtp:// with STARTTLS. It may be skipped only for a relay on this machine
        used without credentials: then neither password nor message crosses a network."""
        if self._implicit_tls:
            return
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=self._ssl)
            smtp.ehlo()
        elif self._user is not None or not _is_loopback(self._host):
            raise SendFailure(
                "the mail server does not offer STARTTLS: refusing to send in clear "
                "(use smtps:// or a server with STARTTLS)",
                retryable=False,
            )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _failure(error: smtplib.SMTPException | OSError) -> SendFailure:
    """4xx replies, timeouts and lost connections may pass later; 5xx replies never will."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        code = codes[0] if codes else 550
        return _reply_failure("the mail server refused the recipient", code)
    if isinstance(error, smtplib.SMTPResponseException):
        what = _REFUSALS.get(type(error), "the mail server answered with an error")
        return _reply_failure(what, error.smtp_code)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return SendFailure("the mail server closed the connection", retryable=True)
    if isinstance(error, smtplib.SMTPException):
        # e.g. no AUTH mechanism in common, or an extension missing: a setup to fix.
        return SendFailure(f"the mail server cannot be used: {error}", retryable=False)
    if isinstance(error, ssl.SSLCertVerificationError):
        return SendFailure(
            f"the mail server's certificate is not trusted ({error.verify_message})",
            retryable=False,
        )
    return SendFailure(f"could not reach the mail server ({type(error).__name__})", retryable=True)


def _reply_failure(what: str, code: int) -> SendFailure:
    return SendFailure(f"{what} ({code})", code=str(code), retryable=400 <= code < 500)
