"""Who reports: agencies with their validity dates and successors, and the people who work for them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hptracker.text import collation_key


class AgencyKind(models.TextChoices):
    DEPARTMENT = "department", _("Sở, ngành thành phố")
    DISTRICT = "district", _("Quận, huyện")
    COMMUNE = "commune", _("Xã, phường, đặc khu")
    POLICE = "police", _("Công an")
    UNIVERSITY = "university", _("Trường đại học")
    PARTY = "party", _("Cơ quan Đảng")
    FRONT = "front", _("Mặt trận, đoàn thể")
    OTHER = "other", _("Khác")


def existing_on(day: datetime.date, prefix: str = "") -> Q:
    """The condition that an agency exists on `day` (valid_to is its last day of existence); `prefix` reaches it
    through a relation ("agency__")."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class AgencyQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> AgencyQuerySet:
        """Agencies that exist on `day` (valid_to is the last day of existence)."""
        return self.filter(existing_on(day))


def sort_name_of(name: str) -> str:
    """What Agency.sort_name holds for `name`: the first part of its `collation_key`."""
    return collation_key(name)[0]


def in_name_order(prefix: str = "") -> tuple[str, str]:
    """order_by() arguments that list agencies (at the lookup `prefix`, e.g. "agency__") in Vietnamese order, ties
    (names that differ only in case or tone placement) by id: the same order on every page, export, document and
    request. Python sorts agencies by the same pair (`name_order`)."""
    return f"{prefix}sort_name", f"{prefix}id"


def name_order(agency_id: int, sort_name: str) -> tuple[str, int]:
    """The key `in_name_order` sorts by, for agencies sorted in Python."""
    return sort_name, agency_id


class Agency(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True, allow_unicode=False)
    name = models.CharField(_("tên cơ quan, đơn vị"), max_length=255)
    # The name as Vietnamese order reads it (`collation_key`: without case or marks, "Đ" as "D"), kept so that the
    # database sorts and paginates names as every page sorted in Python does: PostgreSQL's C collation and SQLite
    # put "Đồ Sơn" after "Z". Written by save() and by whoever bulk-creates agencies (`sort_name_of`). Its column
    # compares by code point on PostgreSQL whatever the database's collation: migration 0003 sets COLLATE "C",
    # which Django's state does not know; a later AlterField of this field must set it again.
    sort_name = models.CharField(max_length=255, editable=False, default="", db_index=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=80)
    symbol = models.CharField(
        _("chữ viết tắt trên văn bản"), max_length=40, help_text=_("Ví dụ: SGDĐT trong «Số: 05/BC-SGDĐT».")
    )
    kind = models.CharField(_("loại"), max_length=20, choices=AgencyKind.choices)
    parent_body = models.CharField(
        _("cơ quan chủ quản (dòng trên tiêu đề)"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ: UBND THÀNH PHỐ HẢI PHÒNG."),
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    official_code = models.CharField(
        _("mã đơn vị hành chính"),
        max_length=10,
        blank=True,
        help_text=_("Mã theo danh mục đơn vị hành chính Việt Nam, ví dụ 11383 (phường Lê Chân)."),
    )
    place_name = models.CharField(
        _("địa danh trên văn bản"),
        max_length=80,
        blank=True,
        help_text=_("Địa danh ghi trước ngày tháng trên văn bản của đơn vị, ví dụ «Lê Chân, ngày … tháng … năm …»."),
    )
    valid_from = models.DateField(_("hiệu lực từ ngày"))
    valid_to = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)

    history = HistoricalRecords()
    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["sort_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agency_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.sort_name = sort_name_of(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)

    def is_active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class SuccessionKind(models.TextChoices):
    RENAMED = "renamed", _("Đổi tên")
    MERGED = "merged", _("Sáp nhập vào")
    SPLIT = "split", _("Chia tách")
    TRANSFERRED = "transferred", _("Chuyển giao chức năng")
    DISSOLVED = "dissolved", _("Giải thể, chuyển về")


class AgencySuccession(models.Model):
    predecessor = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="successions", verbose_name=_("cơ quan trước")
    )
    successor = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="predecessions", verbose_name=_("cơ quan kế thừa")
    )
    kind = models.CharField(_("hình thức"), max_length=20, choices=SuccessionKind.choices)
    effective_on = models.DateField(_("có hiệu lực từ ngày"))
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("kế thừa cơ quan")
        verbose_name_plural = _("kế thừa cơ quan")
        ordering = ["effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="agency_succession_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="agency_succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"


class Role(models.TextChoices):
    STAFF = "staff", _("Cán bộ đơn vị")
    HEAD = "head", _("Lãnh đạo đơn vị")
    REVIEWER = "reviewer", _("Cán bộ thẩm định")
    LEADER = "leader", _("Lãnh đạo thành phố")
    ADMIN = "admin", _("Quản trị hệ thống")


class Membership(models.Model):
    """A user's agency and role: the one place that says what a person may see and do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("tài khoản"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="memberships",
        null=True,
        blank=True,
        verbose_name=_("cơ quan, đơn vị"),
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân quyền tài khoản")
        verbose_name_plural = _("phân quyền tài khoản")
        constraints = [
            # Staff, heads and reviewers act for an agency; leaders and administrators may stand above them.
            models.CheckConstraint(
                condition=Q(role__in=["leader", "admin"]) | Q(agency__isnull=False),
                name="membership_agency_required_for_agency_roles",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency or '—'}"
