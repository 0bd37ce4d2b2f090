"""The yearly cycle and everything reported in it. One module per concept; import models from here."""

from __future__ import annotations

from .cycles import Cycle, CycleDeadline, CycleEvent, CycleEventKind, CycleStatus
from .documents import DocumentNumber, GeneratedReport, GeneratedReportKind, GeneratedReportStatus, IssuerProfile
from .reminders import Notification, ReminderDelivery, ReminderDeliveryStatus, WorkingDayOverride
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
    "Cycle", "CycleDeadline", "CycleEvent", "CycleEventKind", "CycleStatus",
    "DocumentNumber", "GeneratedReport", "GeneratedReportKind", "GeneratedReportStatus", "IssuerProfile",
    "Notification", "ReminderDelivery", "ReminderDeliveryStatus", "WorkingDayOverride",
    "Evidence", "IssuedDocument", "Progress", "Receipt", "Submission", "SubmissionEvent", "SubmissionEventKind",
    "SubmissionStatus", "TargetValue", "TaskReport", "Timeliness",
]
