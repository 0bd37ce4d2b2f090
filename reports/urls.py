"""URLs of the reports app: each area owns its routes."""

from __future__ import annotations

from django.urls import include, path

app_name = "reports"
urlpatterns = [
    path("", include("reports.submissions.urls")),
    path("", include("reports.dashboard.urls")),
    path("", include("reports.documents.urls")),
    path("", include("reports.reminders.urls")),
    path("", include("reports.notifications.urls")),
    path("", include("reports.signatures.urls")),
]
