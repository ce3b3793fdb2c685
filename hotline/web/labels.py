"""The words of the vocabulary as people read them, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CALL_TYPES = {
    "counseling": _l("Counseling"),
    "information": _l("Information"),
    "silent": _l("Silent call"),
    "hang-up": _l("Hang-up"),
    "prank": _l("Prank"),
    "wrong-number": _l("Wrong number"),
    "abusive": _l("Abusive"),
    "test": _l("Test call"),
}
TOPICS = {
    "study-pressure": _l("Study pressure"),
    "family-conflict": _l("Family conflict"),
    "relationships": _l("Relationships"),
    "bullying": _l("Bullying"),
    "emotional-distress": _l("Emotional distress"),
    "self-harm": _l("Self-harm or suicidal thoughts"),
    "other": _l("Other"),
}
RISKS = {
    "none": _l("None"),
    "low": _l("Low"),
    "moderate": _l("Moderate"),
    "high": _l("High"),
    "imminent": _l("Imminent"),
}
ACTIONS = {
    "support": _l("Support given"),
    "information": _l("Information given"),
    "appointment": _l("Counseling appointment booked"),
    "referral": _l("Referred to a partner hospital"),
    "emergency-services": _l("Emergency services contacted"),
    "follow-up": _l("Follow-up planned"),
}
CALLER_TYPES = {
    "student": _l("Student"),
    "parent": _l("Parent"),
    "teacher": _l("Teacher"),
    "other": _l("Other"),
}
AGE_BANDS = {
    "under-12": _l("Under 12"),
    "12-14": "12-14",
    "15-17": "15-17",
    "18-24": "18-24",
    "25-44": "25-44",
    "45-64": "45-64",
    "65-plus": _l("65 and over"),
    "unknown": _l("Unknown"),
}
RESULTS = {
    "answered": _l("Answered"),
    "overflowed": _l("Overflowed"),
    "fallback": _l("Reached the fallback line"),
    "missed": _l("Missed"),
    "abandoned": _l("Abandoned while ringing"),
    "error": _l("Error (fallback)"),
    "unknown": _l("Outcome unknown"),
    "routing": _l("In progress"),
}
ATTEMPT_RESULTS = {
    "bridged": _l("Took the call"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "no-key": _l("Picked up, no key (voicemail?)"),
    "no-answer": _l("No answer"),
    "busy": _l("Busy"),
    "failed": _l("Failed"),
    "canceled": _l("Stopped ringing"),
    "busy-elsewhere": _l("On another call"),
    "abandoned": _l("Caller hung up"),
}
ROLES = {
    "admin": _l("Administrator"),
    "operator": _l("Operator"),
    "supervisor": _l("Supervisor"),
    "counselor": _l("Counselor"),
}
MESSAGE_STATES = {
    "pending": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "delivered": _l("Delivered"),
    "failed": _l("Sending failed"),
    "undeliverable": _l("Undeliverable"),
    "unknown": _l("Unknown (not sent again)"),
    "cancelled": _l("Cancelled"),
}
MESSAGE_KINDS = {
    "risk-alert": _l("Risk alert"),
    "risk-alert-operator": _l("Risk alert, to operators"),
    "risk-alert-psychiatrist": _l("Risk alert, to the psychiatrist"),
    "delivery-problem": _l("Delivery problem"),
    "job-missed": _l("Missed job run"),
    "care-reminder": _l("Appointment reminder"),
    "care-session-cancelled": _l("Session cancelled, to counselors"),
    "referral-overdue": _l("Urgent referral overdue"),
}
CHANNELS = {"sms": _l("SMS"), "email": _l("E-mail"), "web": _l("Web page only")}
RUN_OUTCOMES = {
    "running": _l("Running"),
    "ok": _l("Done"),
    "failed": _l("Run failed"),
    "missed": _l("Not run in time"),
    "interrupted": _l("Interrupted"),
}
# How far an unacknowledged alert has gone (hotline.alerts.escalation).
ALERT_LEVELS = {
    0: _l("The line's supervisors"),
    1: _l("Supervisors and operators"),
    2: _l("Also the psychiatrist on duty"),
    3: _l("Last reminder to everyone"),
}
# --- Statistics (issue 13): the figures of records.definitions, as people read them. ---
FIGURES = {
    "calls": _l("Calls"),
    "taken": _l("Taken by a counselor"),
    "not-taken": _l("Not taken by a counselor"),
    "fallback": _l("To the fallback line"),
    "closing": _l("Closing message"),
    "abandoned": _l("Hung up before anyone took it"),
    "unsettled": _l("Still routing, or outcome unknown"),
    "within-20": _l("Taken within 20 s"),
    "within-30": _l("Taken within 30 s"),
    "outcome-recorded": _l("Outcome recorded"),
    "outcome-missing": _l("Taken, outcome still missing"),
    "backup-tier": _l("Needed a backup tier"),
    "overflow-line": _l("Needed an overflow line"),
    "fallback-needed": _l("Needed the fallback line"),
}
LEGS = {
    "rung": _l("Rung"),
    "declined": _l("Declined"),
    "not-answered": _l("Not answered"),
}
BUCKETS = {"day": _l("Day"), "week": _l("Week"), "month": _l("Month")}
WEEKDAYS = {
    1: _l("Mon"),
    2: _l("Tue"),
    3: _l("Wed"),
    4: _l("Thu"),
    5: _l("Fri"),
    6: _l("Sat"),
    7: _l("Sun"),
}
WEEKDAYS_BY_NUMBER = {str(number): word for number, word in WEEKDAYS.items()}
ALL = {
    "call_types": CALL_TYPES,
    "topics": TOPICS,
    "risks": RISKS,
    "actions": ACTIONS,
    "caller_types": CALLER_TYPES,
    "age_bands": AGE_BANDS,
    "results": RESULTS,
    "attempt_results": ATTEMPT_RESULTS,
    "roles": ROLES,
    "message_states": MESSAGE_STATES,
    "message_kinds": MESSAGE_KINDS,
    "channels": CHANNELS,
    "run_outcomes": RUN_OUTCOMES,
    "alert_levels": ALERT_LEVELS,
    "figures": FIGURES,
    "legs": LEGS,
    "weekdays": WEEKDAYS,
}
