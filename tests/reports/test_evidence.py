"""Evidence files: type from content, size limit, stored under SHA-256 in private storage, served only to those
who may see the report, with the original (Vietnamese) name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.urls import reverse

from reports.errors import WorkflowError
from reports.models import Evidence
from reports.submissions.evidence import evidence_add, evidence_remove, size_refusal
from tests.reports.submission_helpers import (
    EXE,
    PDF,
    PNG,
    docx_bytes,
    edit_post,
    open_cycle,
    started,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db
# Another report's file: different content, so it is stored apart from the one under test.
PDF_OTHER = PDF + b"\n% khac\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def draft(plan, agency, agency_staff):
    return started(open_cycle(plan), agency, agency_staff)


@pytest.mark.parametrize(
    ("name", "body", "mime"),
    [
        ("Báo cáo tổng kết.pdf", PDF, "application/pdf"),
        ("anh-hien-truong.png", PNG, "image/png"),
        ("Kế hoạch.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("Số liệu.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_types_are_stored_under_their_sha256(draft, agency_staff, private_media, name, body, mime):
    evidence = evidence_add(submission=draft, by=agency_staff, upload=upload(name, body))
    digest = hashlib.sha256(body).hexdigest()
    assert evidence.sha256 == digest and evidence.content_type == mime and evidence.size == len(body)
    assert evidence.file.name == f"evidence/{digest[:2]}/{digest}"
    assert (Path(private_media) / evidence.file.name).read_bytes() == body
    assert evidence.original_name == name


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("bao-cao.pdf", PNG),  # a PNG body under a .pdf name
        ("bao-cao.pdf", EXE),  # an executable renamed .pdf
        ("chuong-trinh.exe", EXE),
        ("ghi-chu.txt", b"chi la van ban"),
        ("anh.png", PDF),
    ],
)
def test_a_file_whose_content_does_not_match_an_allowed_type_is_refused(draft, agency_staff, private_media, name, body):
    with pytest.raises(WorkflowError, match="không được nhận"):
        evidence_add(submission=draft, by=agency_staff, upload=upload(name, body, "application/pdf"))
    assert not Evidence.objects.exists()
    assert not any(Path(private_media).rglob("*"))


def test_size_limit_and_empty_file(draft, agency_staff, settings):
    settings.EVIDENCE_MAX_BYTES = len(PDF) - 1
    with pytest.raises(WorkflowError, match="lớn hơn giới hạn"):
        evidence_add(submission=draft, by=agency_staff, upload=upload("lon.pdf", PDF))
    with pytest.raises(WorkflowError, match="rỗng"):
        evidence_add(submission=draft, by=agency_staff, upload=upload("rong.pdf", b""))
    assert not Evidence.objects.exists()


def test_same_content_twice_shares_one_file_and_removal_keeps_it_while_used(
    draft, agency_staff, private_media, django_capture_on_commit_callbacks
):
    first = evidence_add(submission=draft, by=agency_staff, upload=upload("a.pdf", PDF))
    second = evidence_add(submission=draft, by=agency_staff, upload=upload("b.pdf", PDF))
    assert first.file.name == second.file.name
    path = Path(private_media) / first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(submission=draft, by=agency_staff, evidence_ids=[first.pk])
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(submission=draft, by=agency_staff, evidence_ids=[second.pk])
    assert not path.exists()


def test_evidence_for_a_task_of_another_report_is_refused(draft, agency_staff, plan, other_agency, other_agency_staff):
    theirs = started(open_cycle(plan), other_agency, other_agency_staff)
    with pytest.raises(WorkflowError, match="không thuộc báo cáo"):
        evidence_add(
            submission=draft, by=agency_staff, upload=upload("a.pdf", PDF), task_report_id=theirs.task_reports.get().pk
        )


def test_a_refused_file_keeps_the_typed_text_and_says_which_file_and_why(client, draft, agency_staff, private_media):
    """Issue 12: a renamed PNG used to throw away everything typed in that save."""
    report = draft.task_reports.order_by("pk").first()
    client.force_login(agency_staff)
    url = reverse("reports:submission_edit", args=[draft.pk])
    bad = edit_post(
        draft,
        assessment="Đoạn văn đang gõ",
        place=f"nhiem-vu-{report.task.code}",
        **{f"evidence-{report.pk}": [upload("bia.pdf", PNG), upload("Biên bản.pdf", PDF)]},
    )
    response = client.post(url, bad, follow=True)
    assert response.redirect_chain[0][0] == f"{url}#nhiem-vu-{report.task.code}"  # back where the reader was
    html = response.content.decode()
    assert "Đã lưu nháp" in html and "«bia.pdf» không được nhận" in html and "Xin đính kèm lại" in html
    draft.refresh_from_db()
    assert draft.assessment == "Đoạn văn đang gõ" and draft.version == 2
    (evidence,) = Evidence.objects.all()
    assert evidence.original_name == "Biên bản.pdf" and evidence.task_report == report
    assert sorted(p.name for p in Path(private_media).rglob("*") if p.is_file()) == [evidence.sha256]


def test_a_save_that_rolls_back_leaves_no_file_on_disk_and_the_page_stays_unsaved(
    client, draft, agency_staff, private_media, plan, other_agency, other_agency_staff
):
    theirs = started(open_cycle(plan), other_agency, other_agency_staff)
    foreign = evidence_add(submission=theirs, by=other_agency_staff, upload=upload("cua-ho.pdf", PDF_OTHER))
    before = {p for p in Path(private_media).rglob("*") if p.is_file()}
    client.force_login(agency_staff)
    url = reverse("reports:submission_edit", args=[draft.pk])
    post = edit_post(
        draft, assessment="Đang gõ", remove_evidence=[str(foreign.pk)], **{"evidence-general": upload("Mới.pdf", PDF)}
    )
    response = client.post(url, post)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa lưu" in html and 'data-unsaved="1"' in html and "Đang gõ" in html
    assert not Evidence.objects.filter(submission=draft).exists()
    # The accepted PDF was written during the transaction; the rollback removed it again.
    assert {p for p in Path(private_media).rglob("*") if p.is_file()} == before


def test_the_size_message_is_precise_when_the_rounded_sizes_read_the_same():
    limit = 20 * 1024 * 1024
    assert size_refusal("a.pdf", limit + 1, limit) == (
        "Tệp «a.pdf» có 20.971.521 byte, lớn hơn giới hạn 20.971.520 byte."
    )
    assert size_refusal("a.pdf", 25 * 1024 * 1024, limit) == "Tệp «a.pdf» nặng 25 MB, lớn hơn giới hạn 20 MB."


def test_download_checks_permission_and_sends_the_vietnamese_name(
    client, draft, agency_staff, education_reviewer, other_agency_staff, labour_reviewer
):
    evidence = evidence_add(submission=draft, by=agency_staff, upload=upload("Biên bản họp Sở Nội vụ.pdf", PDF))
    url = reverse("reports:evidence_download", args=[draft.pk, evidence.pk])
    client.force_login(education_reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp%20S%E1%BB%9F%20N%E1%BB%99i%20v%E1%BB%A5.pdf"
    ) in disposition
    assert response["Content-Type"] == "application/pdf"
    for person in (other_agency_staff, labour_reviewer):
        client.force_login(person)
        assert client.get(url).status_code == 404  # another agency's evidence does not exist for them
    # There is no public URL for the stored file.
    assert client.get("/private-media/" + evidence.file.name).status_code == 404
