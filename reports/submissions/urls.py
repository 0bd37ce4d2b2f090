"""Routes of the submission area (issue #3): agency pages, cycles, reports, reviews, evidence, history."""

from __future__ import annotations

from django.urls import path

from reports.submissions import views

urlpatterns = [
    path("don-vi/", views.my_agency, name="my_agency"),
    path("don-vi/<int:agency_id>/", views.agency_detail, name="agency_detail"),
    path("ky/", views.cycle_list, name="cycle_list"),
    path("ky/<int:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("ky/<int:cycle_id>/khoa-so-lieu/", views.cycle_lock, name="cycle_lock"),
    path("ky/<int:cycle_id>/mo-khoa-so-lieu/", views.cycle_unlock, name="cycle_unlock"),
    path("ky/<int:cycle_id>/bat-dau/", views.submission_start, name="submission_start"),
    path("tham-dinh/", views.reviewer_inbox, name="reviewer_inbox"),
    path("tham-dinh/tiep-nhan/", views.inbox_acknowledge, name="inbox_acknowledge"),
    path("bao-cao/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("bao-cao/<int:pk>/sua/", views.submission_edit, name="submission_edit"),
    path("bao-cao/<int:pk>/gui/", views.submission_send, name="submission_send"),
    path("bao-cao/<int:pk>/tra-lai/", views.submission_return, name="submission_return"),
    path("bao-cao/<int:pk>/chap-nhan/", views.submission_accept, name="submission_accept"),
    path("bao-cao/<int:pk>/mo-lai/", views.submission_reopen, name="submission_reopen"),
    path("bao-cao/<int:pk>/y-kien/", views.submission_comment, name="submission_comment"),
    path("bao-cao/<int:pk>/tiep-nhan/", views.submission_acknowledge, name="submission_acknowledge"),
    path("bao-cao/<int:pk>/lich-su/", views.submission_history_page, name="submission_history"),
    path("bao-cao/<int:pk>/minh-chung/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
]
