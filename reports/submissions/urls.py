"""Routes of the submission area (issue #3): agency pages, cycles, reports, reviews, evidence, history."""

from __future__ import annotations

from django.urls import path

from reports.submissions.views import actions, agencies, cycles, editing, inbox, reading

urlpatterns = [
    path("don-vi/", agencies.my_agency, name="my_agency"),
    path("don-vi/<int:agency_id>/", agencies.agency_detail, name="agency_detail"),
    path("ky/", cycles.cycle_list, name="cycle_list"),
    path("ky/<int:cycle_id>/", cycles.cycle_detail, name="cycle_detail"),
    path("ky/<int:cycle_id>/khoa-so-lieu/", cycles.cycle_lock, name="cycle_lock"),
    path("ky/<int:cycle_id>/mo-khoa-so-lieu/", cycles.cycle_unlock, name="cycle_unlock"),
    path("ky/<int:cycle_id>/bat-dau/", editing.submission_start, name="submission_start"),
    path("tham-dinh/", inbox.reviewer_inbox, name="reviewer_inbox"),
    path("tham-dinh/tiep-nhan/", inbox.inbox_acknowledge, name="inbox_acknowledge"),
    path("bao-cao/<int:pk>/", reading.submission_detail, name="submission_detail"),
    path("bao-cao/<int:pk>/sua/", editing.submission_edit, name="submission_edit"),
    path("bao-cao/<int:pk>/gui/", actions.submission_send, name="submission_send"),
    path("bao-cao/<int:pk>/tra-lai/", actions.submission_return, name="submission_return"),
    path("bao-cao/<int:pk>/chap-nhan/", actions.submission_accept, name="submission_accept"),
    path("bao-cao/<int:pk>/mo-lai/", actions.submission_reopen, name="submission_reopen"),
    path("bao-cao/<int:pk>/y-kien/", actions.submission_comment, name="submission_comment"),
    path("bao-cao/<int:pk>/tiep-nhan/", actions.submission_acknowledge, name="submission_acknowledge"),
    path("bao-cao/<int:pk>/lich-su/", reading.submission_history_page, name="submission_history"),
    path("bao-cao/<int:pk>/minh-chung/<int:evidence_id>/", reading.evidence_download, name="evidence_download"),
]
