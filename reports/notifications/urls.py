from __future__ import annotations

from django.urls import path

from reports.notifications import views

urlpatterns: list = [
    path("ca-nhan/thong-bao/", views.notification_settings, name="notification_settings"),
]
