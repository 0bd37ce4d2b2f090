"""What is reported on: the plan, its basis, task groups, tasks, targets, assignments, duties and rules."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency, existing_on, in_name_order


class Plan(models.Model):
    number = models.CharField(_("số, ký hiệu"), max_length=40, unique=True)
    document_type = models.CharField(_("loại văn bản"), max_length=60, default="Kế hoạch")
    title = models.TextField(_("trích yếu"))
    issuer = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan ban hành"))
    place = models.CharField(_("địa danh"), max_length=80)
    issued_on = models.DateField(_("ngày ban hành"))
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=80, blank=True)
    signer_prefix = models.CharField(_("ký thay / thừa lệnh"), max_length=80, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=80)
    signer_name = models.CharField(_("người ký"), max_length=120)
    horizon_start = models.PositiveSmallIntegerField(_("từ năm"))
    horizon_end = models.PositiveSmallIntegerField(_("đến năm"))
    oriented_to = models.PositiveSmallIntegerField(_("định hướng đến năm"), null=True, blank=True)
    introduction = models.TextField(_("phần mở đầu"), blank=True)
    closing = models.TextField(_("phần kết"), blank=True)
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return f"{self.document_type} số {self.number}"


class BasisDocument(models.Model):
    """A document the plan implements (văn bản căn cứ); `implements` links 134-KL/TU → 34-CTr/TU → 29-NQ/TW."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="basis", verbose_name=_("kế hoạch"))
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    symbol = models.CharField(_("số, ký hiệu"), max_length=60)
    kind = models.CharField(_("loại văn bản"), max_length=80)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=160)
    issued_on = models.DateField(_("ngày ban hành"))
    title = models.TextField(_("trích yếu"), blank=True)
    implements = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="implemented_by",
        verbose_name=_("thực hiện văn bản"),
    )

    class Meta:
        verbose_name = _("văn bản căn cứ")
        verbose_name_plural = _("văn bản căn cứ")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "symbol"], name="basis_unique_symbol")]

    def __str__(self) -> str:
        return f"{self.kind} {self.symbol}"


class ObjectiveSection(models.TextChoices):
    PURPOSE = "purpose", _("Mục đích")
    REQUIREMENT = "requirement", _("Yêu cầu")


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("kế hoạch"))
    section = models.CharField(_("mục"), max_length=20, choices=ObjectiveSection.choices)
    number = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.TextField(_("nội dung"))

    class Meta:
        verbose_name = _("mục đích, yêu cầu")
        verbose_name_plural = _("mục đích, yêu cầu")
        ordering = ["plan", "section", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "section", "number"], name="objective_unique_number")]

    def __str__(self) -> str:
        return f"{self.get_section_display()} {self.number}"


class TaskGroup(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="groups", verbose_name=_("kế hoạch"))
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    title = models.TextField(_("tên nhóm nhiệm vụ"))

    class Meta:
        verbose_name = _("nhóm nhiệm vụ")
        verbose_name_plural = _("nhóm nhiệm vụ")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="taskgroup_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Task(models.Model):
    group = models.ForeignKey(TaskGroup, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("nhóm"))
    number = models.PositiveSmallIntegerField(_("số thứ tự trong nhóm"))
    text = models.TextField(_("nội dung nhiệm vụ"))
    deadline_text = models.CharField(_("thời gian hoàn thành"), max_length=120, blank=True)
    deadline = models.DateField(_("hạn hoàn thành"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["group__number", "number"]
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="task_unique_number")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:80]}"

    @property
    def code(self) -> str:
        """The task's reference as people cite it: group and bullet, e.g. "3.9"."""
        return f"{self.group.number}.{self.number}"


class TargetDirection(models.TextChoices):
    AT_LEAST = "at_least", _("Tối thiểu")
    AT_MOST = "at_most", _("Tối đa")
    EXACT = "exact", _("Đúng bằng")


class Target(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("kế hoạch"))
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="targets", verbose_name=_("nhiệm vụ")
    )
    code = models.SlugField(_("mã"), max_length=60)
    name = models.CharField(_("chỉ tiêu"), max_length=255)
    unit = models.CharField(_("đơn vị tính"), max_length=20)
    direction = models.CharField(_("yêu cầu"), max_length=10, choices=TargetDirection.choices)
    baseline = models.DecimalField(_("giá trị cơ sở"), max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("năm cơ sở"), null=True, blank=True)
    target_value = models.DecimalField(_("giá trị mục tiêu"), max_digits=12, decimal_places=2)
    target_year = models.PositiveSmallIntegerField(_("năm đạt mục tiêu"))

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="target_unique_code")]

    def __str__(self) -> str:
        return self.name

    def is_met_by(self, value) -> bool:
        if self.direction == TargetDirection.AT_LEAST:
            return value >= self.target_value
        if self.direction == TargetDirection.AT_MOST:
            return value <= self.target_value
        return value == self.target_value


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    CO_OPERATING = "co_operating", _("Phối hợp")


class AssignmentStatus(models.TextChoices):
    STATED = "stated", _("Ghi trong kế hoạch")
    PROPOSED = "proposed", _("Đề xuất ban đầu")
    CONFIRMED = "confirmed", _("Đã được Sở GD&ĐT xác nhận")


class TaskAssignmentQuerySet(models.QuerySet):
    def current(self) -> TaskAssignmentQuerySet:
        return self.filter(ended_on__isnull=True)

    def active_on(self, day: datetime.date) -> TaskAssignmentQuerySet:
        return self.filter(Q(started_on__isnull=True) | Q(started_on__lte=day)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )

    def in_force_on(self, day: datetime.date) -> TaskAssignmentQuerySet:
        """The assignments in force on `day` of agencies that existed that day: who answered for each task then
        (before 1/7/2025 Hải Phòng's districts, after it the communes that succeeded them)."""
        return self.active_on(day).filter(existing_on(day, prefix="agency__"))


class TaskAssignment(models.Model):
    """An agency's part in a task. A reassignment ends the old row (ended_on) and starts a new one, so the
    history of who was responsible when stays in the table, not only in the audit log."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("nhiệm vụ"))
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="task_assignments", verbose_name=_("cơ quan")
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=AssignmentRole.choices)
    status = models.CharField(_("căn cứ phân công"), max_length=20, choices=AssignmentStatus.choices)
    note = models.TextField(_("lý do, ghi chú"), blank=True)
    started_on = models.DateField(_("từ ngày"), null=True, blank=True)
    ended_on = models.DateField(_("đến ngày"), null=True, blank=True)

    history = HistoricalRecords()
    objects = TaskAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công nhiệm vụ")
        verbose_name_plural = _("phân công nhiệm vụ")
        ordering = ["task", "role", *in_name_order("agency__")]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "agency"], condition=Q(ended_on__isnull=True), name="assignment_one_current"
            )
        ]
        indexes = [
            models.Index(fields=["agency", "ended_on"], name="assignment_by_agency"),
            # A task's leads: a handful among 150,000 co-operating rows nationally, which the coverage page's lead
            # names (progress.with_lead_names, those of the cycle, ended rows included) and the plan page (the
            # current ones) read. Without it PostgreSQL scanned them all (10 ms of a 30 ms page).
            models.Index(fields=["role", "task"], name="assignment_by_role"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} — {self.agency.short_name} ({self.get_role_display()})"


class DutyItem(models.Model):
    """One of the 14 numbered items of section III: an agency, or a class of agencies, and its duties."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="duty_items", verbose_name=_("kế hoạch"))
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    heading = models.CharField(_("cơ quan, đơn vị"), max_length=255)
    requested = models.BooleanField(
        _("đề nghị (không thuộc UBND)"), default=False, help_text=_("Các mục «Đề nghị …» của kế hoạch.")
    )
    agencies = models.ManyToManyField(
        Agency, related_name="duty_items", blank=True, verbose_name=_("các cơ quan áp dụng")
    )

    class Meta:
        verbose_name = _("mục tổ chức thực hiện")
        verbose_name_plural = _("mục tổ chức thực hiện")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="dutyitem_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.heading}"


class Duty(models.Model):
    item = models.ForeignKey(DutyItem, on_delete=models.CASCADE, related_name="duties", verbose_name=_("mục"))
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.TextField(_("nhiệm vụ"))

    class Meta:
        verbose_name = _("nhiệm vụ của cơ quan")
        verbose_name_plural = _("nhiệm vụ của cơ quan")
        ordering = ["item", "order"]
        constraints = [models.UniqueConstraint(fields=["item", "order"], name="duty_unique_order")]

    def __str__(self) -> str:
        return self.text[:80]


class ReportingRule(models.Model):
    """Who reports, to whom, about what and by when, every year."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rules", verbose_name=_("kế hoạch"))
    code = models.SlugField(_("mã"), max_length=60)
    title = models.CharField(_("tên chế độ báo cáo"), max_length=255)
    reporters = models.ManyToManyField(DutyItem, related_name="rules", verbose_name=_("đơn vị báo cáo (theo mục)"))
    recipients: models.ManyToManyField[Agency, RuleRecipient] = models.ManyToManyField(
        Agency, through="RuleRecipient", related_name="rules_received", verbose_name=_("nơi nhận báo cáo")
    )
    final_recipient = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("báo cáo đến")
    )
    subject = models.CharField(_("nội dung báo cáo"), max_length=255)
    deadline_day = models.PositiveSmallIntegerField(_("hạn gửi: ngày"))
    deadline_month = models.PositiveSmallIntegerField(_("hạn gửi: tháng"))
    during_month = models.PositiveSmallIntegerField(_("thực hiện trong tháng"), null=True, blank=True)
    deadline_text = models.CharField(_("thời hạn (theo văn bản)"), max_length=120)
    consolidates = models.BooleanField(_("là báo cáo tổng hợp"), default=False)
    window_start_day = models.PositiveSmallIntegerField(_("chốt số liệu từ ngày"), default=15)
    window_start_month = models.PositiveSmallIntegerField(_("chốt số liệu từ tháng (năm trước)"), default=12)
    window_end_day = models.PositiveSmallIntegerField(_("chốt số liệu đến ngày"), default=14)
    window_end_month = models.PositiveSmallIntegerField(_("chốt số liệu đến tháng"), default=12)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chế độ báo cáo")
        verbose_name_plural = _("chế độ báo cáo")
        ordering = ["plan", "consolidates", "deadline_month", "deadline_day", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="rule_unique_code"),
            models.CheckConstraint(condition=Q(deadline_month__gte=1, deadline_month__lte=12), name="rule_month"),
            models.CheckConstraint(condition=Q(deadline_day__gte=1, deadline_day__lte=31), name="rule_day"),
        ]

    def __str__(self) -> str:
        return self.title

    def subject_in(self, year: int) -> str:
        """The subject of the cycle of `year`'s report ("Báo cáo kết quả thực hiện Kế hoạch số 193/KH-UBND năm
        2025"): the page of a report is titled with it and its documents' headings are made from it."""
        return self.subject.replace("{year}", str(year))

    def deadline_in(self, year: int) -> datetime.date:
        return datetime.date(year, self.deadline_month, self.deadline_day)

    def window_in(self, year: int) -> tuple[datetime.date, datetime.date]:
        start = datetime.date(year - 1, self.window_start_month, self.window_start_day)
        return start, datetime.date(year, self.window_end_month, self.window_end_day)


class RuleRecipientQuerySet(models.QuerySet):
    def consolidating(self) -> RuleRecipientQuerySet:
        """First recipients of the agencies' yearly reports: the consolidator (the Sở GD&ĐT in plan 193), decided
        from the rules' data rather than from an agency code."""
        return self.filter(order=1, rule__consolidates=False)


class RuleRecipient(models.Model):
    rule = models.ForeignKey(ReportingRule, on_delete=models.CASCADE, related_name="rule_recipients")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan nhận"))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)

    objects = RuleRecipientQuerySet.as_manager()

    class Meta:
        verbose_name = _("nơi nhận báo cáo")
        verbose_name_plural = _("nơi nhận báo cáo")
        ordering = ["rule", "order"]
        constraints = [models.UniqueConstraint(fields=["rule", "agency"], name="rulerecipient_unique")]

    def __str__(self) -> str:
        return str(self.agency)
