from __future__ import annotations

from django.urls import path

from reports import views_reminders

urlpatterns: list = [
    path("nhat-ky-nhac-han/", views_reminders.reminder_log, name="reminder_log"),
    path("thong-bao/", views_reminders.notification_list, name="notifications"),
    path("thong-bao/<int:pk>/da-doc/", views_reminders.notification_read, name="notification_read"),
    path("thong-bao/da-doc-tat-ca/", views_reminders.notification_read_all, name="notification_read_all"),
]
