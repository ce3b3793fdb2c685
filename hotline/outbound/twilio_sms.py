"""SMS through Twilio's REST API: the only module of `hotline` that imports the Twilio SDK.

Errors become `SendFailure`s carrying Twilio's code and whether a later try may work.
"""

from __future__ import annotations

from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from hotline.outbound.port import Accepted, SendFailure, Sms
from hotline.outbound.twilio_codes import LATER, NEVER


class TwilioSms:
    """Sends one SMS per call from a Twilio number (E.164) or a Messaging Service (MG...)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        *,
        http_client: HttpClient | None = None,
        timeout: float = 10,
    ) -> None:
        self._own_http = http_client is None
        self._http = http_client if http_client is not None else TwilioHttpClient(timeout=timeout)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        self._sender = sender

    def __repr__(self) -> str:  # never show the token, even in a traceback
        return f"TwilioSms(sender={self._sender!r})"

    def send_sms(self, message: Sms) -> Accepted:
        sender: dict[str, str] = (
            {"messaging_service_sid": self._sender}
            if self._sender.startswith("MG")
            else {"from_": self._sender}
        )
        optional: dict[str, Any] = {}
        if message.status_callback:
            optional["status_callback"] = message.status_callback
        try:
            created = self._client.messages.create(
                to=message.to, body=message.body, **sender, **optional
            )
        except (TwilioRestException, TwilioServiceException) as error:
            # `from None`: Twilio's own message may quote the staff number; keep it out of logs.
            raise _refused(error) from None
        except (TwilioException, requests.RequestException, OSError) as error:
            raise SendFailure(
                f"could not reach Twilio ({type(error).__name__})", retryable=True
            ) from None
        sid, status = created.sid, created.status
        return Accepted(reference=str(sid) if sid else None, status=str(status or "queued"))

    def close(self) -> None:
        """Release pooled connections (only those of the HTTP client made here)."""
        session = getattr(self._http, "session", None) if self._own_http else None
        if session is not None:
            session.close()


def _refused(error: TwilioRestException | TwilioServiceException) -> SendFailure:
    """Twilio answered with an error: classify it by its code, then by its HTTP status."""
    status = int(error.status)
    # Without a JSON body the SDK puts the HTTP status in `code`: that is not a Twilio code.
    code = str(error.code) if error.code is not None and error.code != status else None
    if code in NEVER:
        retryable = False
    elif code in LATER or status == 429 or status >= 500:
        retryable = True
    else:
        retryable = False
    return SendFailure(
        f"Twilio refused the message (HTTP {status})", code=code, retryable=retryable
    )
