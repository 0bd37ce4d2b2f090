"""The profile page's notification choices."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reports.notifications.services import MAIL_KINDS


class NotificationSettingsForm(forms.Form):
    mail_on = forms.MultipleChoiceField(
        label=_("Nhận thư điện tử khi"),
        choices=[(kind.value, kind.label) for kind in MAIL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    language = forms.ChoiceField(label=_("Ngôn ngữ của thư"), choices=settings.LANGUAGES)
