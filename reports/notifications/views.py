"""Every signed-in person's profile page: which workflow events reach them by mail, in which language."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from reports.models import NotificationSettings
from reports.notifications.forms import NotificationSettingsForm
from reports.notifications.services import MAIL_KINDS, notification_settings_save


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    current = NotificationSettings.objects.filter(user=user).first()
    mail_off = set(current.mail_off) if current else set()
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            wanted = set(form.cleaned_data["mail_on"])
            notification_settings_save(
                user=user,
                mail_off=[kind.value for kind in MAIL_KINDS if kind.value not in wanted],
                language=form.cleaned_data["language"],
            )
            messages.success(request, _("Đã lưu cài đặt thông báo."))
            return redirect("reports:notification_settings")
    else:
        form = NotificationSettingsForm(
            initial={
                "mail_on": [kind.value for kind in MAIL_KINDS if kind.value not in mail_off],
                "language": current.language if current else settings.LANGUAGE_CODE,
            }
        )
    return render(request, "reports/notifications/settings.html", {"form": form, "has_email": bool(user.email)})
