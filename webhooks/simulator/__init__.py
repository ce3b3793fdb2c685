"""A Twilio-behaving voice call simulator: signed webhooks in, TwiML followed, callbacks out.

The mirror image of `webhooks`: it knows only HTTP and TwiML, never the service's code.
"""

from webhooks.simulator.behaviour import (
    KINDS,
    Behaviour,
    PhoneBook,
    accept,
    busy,
    decline,
    failed,
    no_answer,
    voicemail,
)
from webhooks.simulator.call import DEFAULT_ACCOUNT_SID, VOICE_PATHS, Simulator
from webhooks.simulator.callbacks import CallbackOrder, StatusEvent
from webhooks.simulator.signature import compute_signature, sign_request, signing_url
from webhooks.simulator.trace import (
    CallTrace,
    DialLeg,
    DialRecord,
    ErrorRecord,
    RequestRecord,
    VerbRecord,
)
from webhooks.simulator.transport import (
    HttpReply,
    HttpTransport,
    Transport,
    TransportError,
    WsgiTransport,
)
from webhooks.simulator.twiml import parse_document, read_reply
from webhooks.simulator.verbs import Document, Failure
from webhooks.simulator.webhook import USER_AGENT, WebhookClient

__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "KINDS",
    "USER_AGENT",
    "VOICE_PATHS",
    "Behaviour",
    "CallTrace",
    "CallbackOrder",
    "DialLeg",
    "DialRecord",
    "Document",
    "ErrorRecord",
    "Failure",
    "HttpReply",
    "HttpTransport",
    "PhoneBook",
    "RequestRecord",
    "Simulator",
    "StatusEvent",
    "Transport",
    "TransportError",
    "VerbRecord",
    "WebhookClient",
    "WsgiTransport",
    "accept",
    "busy",
    "compute_signature",
    "decline",
    "failed",
    "no_answer",
    "parse_document",
    "read_reply",
    "sign_request",
    "signing_url",
    "voicemail",
]
