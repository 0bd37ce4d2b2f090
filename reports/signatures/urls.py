"""Routes of the signatures area (namespace "reports", under /bao-cao/). Included from reports/urls.py with
`path("", include("reports.signatures.urls"))`."""

from __future__ import annotations

from django.urls import path

from reports.signatures import views

urlpatterns = [
    path("ky-so/tep/<int:pk>/", views.signature_document, name="signature_document"),
    path("ky-so/tep/<int:pk>/ky/", views.signature_sign, name="signature_sign"),
    path("ky-so/tep/<int:pk>/tai-len/", views.signature_upload, name="signature_upload"),
    path("ky-so/tep/<int:pk>/ban-de-ky/", views.issued_file_download, name="signature_issued_download"),
    path("ky-so/tep/<int:pk>/ban-chinh-thuc/", views.official_download, name="signature_official_download"),
    path("ky-so/ban-da-ky/<int:pk>/", views.signed_copy_download, name="signed_copy_download"),
    path("ky-so/kiem-tra/", views.signature_verify, name="signature_verify"),
    path("ky-so/quan-tri/", views.signing_settings, name="signing_settings"),
]
