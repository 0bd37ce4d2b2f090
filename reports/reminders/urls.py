from __future__ import annotations

from django.urls import path

from reports.reminders import views

urlpatterns: list = [
    path("nhat-ky-nhac-han/", views.reminder_log, name="reminder_log"),
    path("thong-bao/", views.notification_list, name="notifications"),
    path("thong-bao/<int:pk>/da-doc/", views.notification_read, name="notification_read"),
    path("thong-bao/da-doc-tat-ca/", views.notification_read_all, name="notification_read_all"),
]
