"""Pages of the signatures area: a document's signing page (sign with the body's certificate, or download, sign with
one's own token and upload), downloads of the issued file and of signed copies, issuing an agency's report for
signing, the verification page, and the administrator's certificates and trust roots. Access is decided by
reports.permissions only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reports.errors import WorkflowError
from reports.models import AgencyCertificate, GeneratedReport, SignedCopy, TrustRoot
from reports.permissions import can_sign_document, can_view_generated_report, is_admin

from . import services, verification
from .forms import AgencyCertificateForm, SignedPdfForm, TrustRootForm


def _visible_report(request: HttpRequest, pk: int) -> GeneratedReport:
    report = get_object_or_404(
        GeneratedReport.objects.select_related("cycle", "submission__agency", "profile__agency"), pk=pk
    )
    if not can_view_generated_report(request.user, report):
        raise Http404
    return report


def _signable(request: HttpRequest, pk: int) -> GeneratedReport:
    report = _visible_report(request, pk)
    if not can_sign_document(request.user, report):
        raise PermissionDenied
    return report


def _file_name(report: GeneratedReport, suffix: str) -> str:
    if report.submission is not None:
        stem = f"bao-cao-{report.submission.agency.code.lower()}-{report.cycle.year}"
    else:
        number = report.document_number.split("/")[0] if report.document_number else "du-thao"
        stem = f"bao-cao-tong-hop-{report.cycle.year}-{number}"
    return f"{stem}{suffix}.pdf"


def _serve(field, name: str) -> FileResponse:
    if not field.name:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


@login_required
@require_GET
def signature_document(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    may_sign = can_sign_document(request.user, report) and services.is_official_document(report)
    agency = services.issuing_agency(report)
    return render(
        request,
        "reports/signatures/document.html",
        {
            "report": report,
            "official": services.official_copy(report),
            "copies": report.signed_copies.select_related("created_by"),
            "may_sign": may_sign,
            "certificate": AgencyCertificate.objects.filter(agency=agency, is_active=True).first() if agency else None,
            "form": SignedPdfForm() if may_sign else None,
            "max_mb": settings.SIGNED_PDF_MAX_BYTES // (1024 * 1024),
        },
    )


@login_required
@require_GET
def issued_file_download(request: HttpRequest, pk: int) -> FileResponse:
    """The unsigned file as issued, with its empty signature fields: what an official signs with their token."""
    report = _visible_report(request, pk)
    if not services.is_official_document(report):
        raise Http404
    return _serve(report.file, _file_name(report, "-de-ky"))


@login_required
@require_GET
def official_download(request: HttpRequest, pk: int) -> FileResponse:
    """The official copy: the newest valid signed copy, or the issued file while nobody has signed it."""
    report = _visible_report(request, pk)
    copy = services.official_copy(report)
    if copy is not None:
        return _serve(copy.file, _file_name(report, "-da-ky"))
    if not services.is_official_document(report):
        raise Http404
    return _serve(report.file, _file_name(report, ""))


@login_required
@require_GET
def signed_copy_download(request: HttpRequest, pk: int) -> FileResponse:
    copy = get_object_or_404(SignedCopy.objects.select_related("report"), pk=pk)
    report = _visible_report(request, copy.report_id)
    return _serve(copy.file, _file_name(report, f"-da-ky-{copy.pk}"))


@login_required
@require_POST
def signature_sign(request: HttpRequest, pk: int) -> HttpResponse:
    report = _signable(request, pk)
    try:
        services.signed_copy_sign(report=report, by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã ký số bằng chứng thư của cơ quan; bản đã ký là bản chính thức."))
    return redirect("reports:signature_document", pk=report.pk)


@login_required
@require_POST
def signature_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report = _signable(request, pk)
    form = SignedPdfForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn tệp PDF đã ký."))
        return redirect("reports:signature_document", pk=report.pk)
    try:
        content = verification.read_upload(form.cleaned_data["file"])
        services.signed_copy_upload(report=report, content=content, by=request.user)
    except WorkflowError as exc:
        messages.error(request, _("Không nhận bản ký: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("Chữ ký hợp lệ: bản đã ký là bản chính thức."))
    return redirect("reports:signature_document", pk=report.pk)


@login_required
@require_http_methods(["GET", "POST"])
def signature_verify(request: HttpRequest) -> HttpResponse:
    """Any signed-in user: drop a PDF, see whether the portal issued it and what its signatures are worth."""
    result, error = None, ""
    form = SignedPdfForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                result = verification.document_verify(content=verification.read_upload(form.cleaned_data["file"]))
            except WorkflowError as exc:
                error = str(exc)
        else:
            error = _("Hãy chọn một tệp PDF.")
    return render(
        request,
        "reports/signatures/verify.html",
        {
            "form": SignedPdfForm(),
            "result": result,
            "error": error,
            "max_mb": settings.SIGNED_PDF_MAX_BYTES // (1024 * 1024),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def signing_settings(request: HttpRequest) -> HttpResponse:
    """The administrator's page: each body's certificate (the key never shown again) and the trust roots."""
    if not is_admin(request.user):
        raise PermissionDenied
    certificate_form, root_form = AgencyCertificateForm(), TrustRootForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "certificate":
                certificate_form = AgencyCertificateForm(request.POST, request.FILES)
                if certificate_form.is_valid():
                    data = certificate_form.cleaned_data
                    services.agency_certificate_upload(
                        agency=data["agency"],
                        pkcs12_data=data["pkcs12"].read(),
                        password=data["password"],
                        seal_png=data["seal_image"].read(),
                        by=request.user,
                    )
                    messages.success(request, _("Đã lưu chứng thư số của cơ quan."))
                    return redirect("reports:signing_settings")
            else:
                root_form = TrustRootForm(request.POST, request.FILES)
                if root_form.is_valid():
                    services.trust_root_add(
                        name=root_form.cleaned_data["name"],
                        certificate_data=root_form.cleaned_data["certificate"].read(),
                    )
                    messages.success(request, _("Đã thêm chứng thư gốc tin cậy."))
                    return redirect("reports:signing_settings")
        except WorkflowError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "reports/signatures/settings.html",
        {
            "certificates": AgencyCertificate.objects.filter(is_active=True).select_related("agency"),
            "roots": TrustRoot.objects.all(),
            "certificate_form": certificate_form,
            "root_form": root_form,
        },
    )
