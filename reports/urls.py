"""URLs of the reports app, one module per area so that each area owns its routes."""

from __future__ import annotations

from reports import urls_dashboard, urls_documents, urls_reminders, urls_submissions

app_name = "reports"
urlpatterns = [
    *urls_submissions.urlpatterns,
    *urls_dashboard.urlpatterns,
    *urls_documents.urlpatterns,
    *urls_reminders.urlpatterns,
]
