"""Typed SQLAlchemy models; import from here."""

from hotline.models.accounts import (
    AuditEntry,
    AuditPurgePermit,
    LoginFailure,
    RecoveryCode,
    TotpEnrolment,
    User,
    UserHotline,
)
from hotline.models.api import ApiToken
from hotline.models.base import Base
from hotline.models.calls import Call, CallAttempt
from hotline.models.care import (
    Booking,
    CarePattern,
    CareSession,
    CaseCall,
    Referral,
    ReferralStep,
    SchoolLine,
    StudentCase,
)
from hotline.models.desk import BoardScreen, CalendarFeed, ShiftSwap
from hotline.models.jobs import JobRun, SchedulerBeat
from hotline.models.outbound import OutboxMessage, RiskAlert
from hotline.models.records import CallOutcome
from hotline.models.rota import (
    Counselor,
    Hotline,
    Leave,
    Partner,
    RotaOverride,
    RotaPattern,
    RotaVersion,
)
from hotline.models.shifts import InboundTextCount, ShiftConfirmation
from hotline.models.stats import StatsDay, StatsHour, StatsMark, StatsMonth, StatsTally

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditPurgePermit",
    "Base",
    "BoardScreen",
    "Booking",
    "CalendarFeed",
    "Call",
    "CallAttempt",
    "CallOutcome",
    "CarePattern",
    "CareSession",
    "CaseCall",
    "Counselor",
    "Hotline",
    "InboundTextCount",
    "JobRun",
    "Leave",
    "LoginFailure",
    "OutboxMessage",
    "Partner",
    "RecoveryCode",
    "Referral",
    "ReferralStep",
    "RiskAlert",
    "RotaOverride",
    "RotaPattern",
    "RotaVersion",
    "SchedulerBeat",
    "SchoolLine",
    "ShiftConfirmation",
    "ShiftSwap",
    "StatsDay",
    "StatsHour",
    "StatsMark",
    "StatsMonth",
    "StatsTally",
    "StudentCase",
    "TotpEnrolment",
    "User",
    "UserHotline",
]
