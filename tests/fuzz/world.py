"""The state the fuzz tests attack: a cycle with a draft, a sent and an accepted report, a failed consolidated
report, a notification, a signed-in person per role; every route's URL arguments; a snapshot of the rows a
refused request must leave as they were."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from agencies.models import Agency, Role
from plans.models import DutyItem, Task
from reports.models import (
    GeneratedReport,
    GeneratedReportKind,
    GeneratedReportStatus,
    IssuerProfile,
    Notification,
    NotificationKind,
)
from tests.conftest import make_person
from tests.reports.submission_helpers import PNG, accepted, open_cycle, sent, started, upload

MISSING_IDS = [2_147_483_648, 9_223_372_036_854_775_807, 99_999_999]

# The rows whose change would be a write: a refused request leaves each exactly as it was.
SNAPSHOT_MODELS = [
    "reports.Submission",
    "reports.TaskReport",
    "reports.IssuedDocument",
    "reports.TargetValue",
    "reports.Evidence",
    "reports.SubmissionEvent",
    "reports.Receipt",
    "reports.Cycle",
    "reports.CycleEvent",
    "reports.GeneratedReport",
    "reports.DocumentNumber",
    "reports.OutboxMessage",
    "reports.Notification",
    "reports.SignedCopy",
    "reports.AgencyCertificate",
    "reports.TrustRoot",
    "reports.DashboardExport",
    "reports.NotificationSettings",
]


def snapshot() -> dict[str, str]:
    """A digest of every row of each table, in one query: cheap enough to take around every example."""
    tables = []
    for label in SNAPSHOT_MODELS:
        try:
            tables.append(apps.get_model(label)._meta.db_table)
        except LookupError:  # a model another engineer has not written yet
            continue
    sql = " UNION ALL ".join(
        f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


@dataclass
class World:
    cycle: object
    draft: object  # Sở Nội vụ's, being edited
    sent: object  # Công an thành phố's, waiting for review
    accepted: object  # Lê Chân's, accepted
    failed_report: object
    notification: object
    users: dict[str, object]

    @property
    def users_by_name(self) -> dict[str, object]:
        return {user.username: user for user in self.users.values()}


def build_world(plan) -> World:
    from reports.submissions.evidence import evidence_add

    cycle = open_cycle(plan)
    snv, catp, lechan = (Agency.objects.get(code=c) for c in ("SNV", "CATP", "Q_LECHAN"))
    sgd = Agency.objects.get(code="SGDDT")
    users = {
        "snv_staff": make_person("f.snv.canbo", Role.STAFF, snv),
        "snv_head": make_person("f.snv.lanhdao", Role.HEAD, snv),
        "catp_staff": make_person("f.catp.canbo", Role.STAFF, catp),
        "catp_head": make_person("f.catp.lanhdao", Role.HEAD, catp),
        "lechan_staff": make_person("f.lechan.canbo", Role.STAFF, lechan),
        "lechan_head": make_person("f.lechan.lanhdao", Role.HEAD, lechan),
        "reviewer": make_person("f.sgddt.thamdinh", Role.REVIEWER, sgd),
        "labour_reviewer": make_person("f.sldtbxh.thamdinh", Role.REVIEWER, Agency.objects.get(code="SLDTBXH")),
        "leader": make_person("f.lanhdao", Role.LEADER, Agency.objects.get(code="UBND_TP")),
    }
    admin = make_person("f.quantri", Role.ADMIN, None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    users["admin"] = admin
    users["outsider"] = get_user_model().objects.create_user("f.nguoingoai", password="mat-khau-thu-nghiem-2026")
    draft = started(cycle, snv, users["snv_staff"])
    draft.task_reports.update(progress="in_progress")
    evidence_add(submission=draft, by=users["snv_staff"], upload=upload("anh.png", PNG), task_report_id=None)
    profile = IssuerProfile.objects.filter(is_default=True).first() or IssuerProfile.objects.create(
        agency=sgd, name="Sở GD&ĐT", signer_title="GIÁM ĐỐC", signer_name="Nguyễn Văn A", is_default=True
    )
    failed = GeneratedReport.objects.create(
        kind=GeneratedReportKind.CONSOLIDATED,
        cycle=cycle,
        profile=profile,
        status=GeneratedReportStatus.FAILED,
        error="hỏng",
        requested_by=users["reviewer"],
    )
    notification = Notification.objects.create(
        user=users["snv_staff"], kind=NotificationKind.RETURNED, subject="Báo cáo bị trả lại", submission=draft
    )
    return World(
        cycle=cycle,
        draft=draft,
        sent=sent(cycle, catp, users["catp_staff"], users["catp_head"]),
        accepted=accepted(cycle, lechan, users["lechan_staff"], users["lechan_head"], users["reviewer"]),
        failed_report=failed,
        notification=notification,
        users=users,
    )


def routes() -> list[tuple[str, str]]:
    """Every named route outside Django's admin, as (name, pattern)."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or ""
                walk(entry.url_patterns, prefix + str(entry.pattern), inner or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append((f"{namespace}:{entry.name}" if namespace else entry.name, prefix + str(entry.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def url_arguments(world: World, pattern: str) -> list[dict[str, int]]:
    """The URL arguments to try on a route: the objects of the world that fit, then ids that exist nowhere."""
    names = re.findall(r"<int:(\w+)>", pattern)
    if not names:
        return [{}]
    submissions = [world.draft.pk, world.sent.pk, world.accepted.pk]
    if "cycle_id" in names:
        own = [world.cycle.pk]
    elif "agency_id" in names:
        own = [world.draft.agency_id, world.sent.agency_id]
    elif "/tep/" in pattern:
        own = [world.failed_report.pk]
    elif "thong-bao/" in pattern:
        own = [world.notification.pk]
    elif "bao-cao/bao-cao/" in pattern or "ky-so/bao-cao/" in pattern:
        own = submissions
    elif "ke-hoach/" in pattern:
        own = [world.cycle.plan_id]
    else:
        own = []
    choices = [{names[0]: pk} for pk in own + MISSING_IDS]
    # The plan's lists of units: a task or a duty item of the plan, then ids that exist nowhere (for the plan too).
    for name, model in (("task_pk", Task), ("item_pk", DutyItem)):
        if name in names:
            plan_id = world.cycle.plan_id
            member = model.objects.filter(**{"group__plan_id" if model is Task else "plan_id": plan_id}).first()
            choices = [{"pk": plan_id, name: member.pk}, *({"pk": plan_id, name: pk} for pk in MISSING_IDS)]
            choices += [{"pk": pk, name: member.pk} for pk in MISSING_IDS]
    if "evidence_id" in names:
        evidence = world.draft.evidence.first()
        choices = [{"pk": world.draft.pk, "evidence_id": evidence.pk}, {"pk": world.draft.pk, "evidence_id": 2**40}]
    return choices
