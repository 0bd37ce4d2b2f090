"""Routes of generated documents (PDF and Word) (namespace "reports", under /bao-cao/)."""

from __future__ import annotations

from django.urls import path

from reports.documents import views

urlpatterns = [
    path("van-ban-tong-hop/", views.consolidated_report_list, name="consolidated_reports"),
    path("van-ban-tong-hop/yeu-cau/", views.consolidated_report_request, name="consolidated_report_request"),
    path("tep/<int:pk>/", views.generated_report_detail, name="generated_report_detail"),
    path("tep/<int:pk>/trang-thai/", views.generated_report_status, name="generated_report_status"),
    path("tep/<int:pk>/tai-ve/", views.generated_report_download, name="generated_report_download"),
    path("tep/<int:pk>/tai-ve/word/", views.generated_report_word, name="generated_report_word"),
    path("tep/<int:pk>/thu-lai/", views.generated_report_retry, name="generated_report_retry"),
    path("tep/<int:pk>/phat-hanh-lai/", views.consolidated_report_reissue, name="consolidated_report_reissue"),
    path("bao-cao/<int:pk>/pdf/", views.submission_pdf, name="submission_pdf"),
    path("bao-cao/<int:pk>/word/", views.submission_word, name="submission_word"),
    path("ky-so/bao-cao/<int:pk>/phat-hanh/", views.submission_issue_for_signing, name="submission_issue_for_signing"),
]
