"""The yearly cycle and everything reported in it. One module per concept; import models from here."""

from __future__ import annotations

from .cycles import Cycle, CycleDeadline, CycleEvent, CycleEventKind, CycleStatus
from .documents import DocumentNumber, GeneratedReport, GeneratedReportKind, GeneratedReportStatus, IssuerProfile
from .exports import DashboardExport, ExportFormat
from .figures import (
    FiguresChange,
    FiguresTopic,
    FiguresVersion,
    LedgerStamp,
    StoredExpectedReport,
    StoredTargetFigure,
)
from .outbox import OutboxMessage
from .reminders import (
    Notification,
    NotificationKind,
    NotificationMail,
    NotificationSettings,
    ReminderDelivery,
    ReminderDeliveryStatus,
    WorkingDayOverride,
)
from .signatures import AgencyCertificate, SignedCopy, SignedCopyMethod, TrustRoot
from .submissions import (
    Evidence,
    IssuedDocument,
    Progress,
    Receipt,
    Submission,
    SubmissionEvent,
    SubmissionEventKind,
    SubmissionStatus,
    TargetValue,
    TaskReport,
    Timeliness,
)

__all__ = [
    "Cycle",
    "CycleDeadline",
    "CycleEvent",
    "CycleEventKind",
    "CycleStatus",
    "DocumentNumber",
    "GeneratedReport",
    "GeneratedReportKind",
    "GeneratedReportStatus",
    "IssuerProfile",
    "DashboardExport",
    "ExportFormat",
    "FiguresChange",
    "FiguresTopic",
    "FiguresVersion",
    "LedgerStamp",
    "StoredExpectedReport",
    "StoredTargetFigure",
    "OutboxMessage",
    "Notification",
    "NotificationKind",
    "NotificationMail",
    "NotificationSettings",
    "ReminderDelivery",
    "ReminderDeliveryStatus",
    "WorkingDayOverride",
    "AgencyCertificate",
    "SignedCopy",
    "SignedCopyMethod",
    "TrustRoot",
    "Evidence",
    "IssuedDocument",
    "Progress",
    "Receipt",
    "Submission",
    "SubmissionEvent",
    "SubmissionEventKind",
    "SubmissionStatus",
    "TargetValue",
    "TaskReport",
    "Timeliness",
]
