"""The checks behind verification.document_verify, with pyHanko: which issued document a PDF is, whether only
signatures were added to it, and each signature's integrity, chain and certificate validity. Imported when a file is
verified or signed, not with the URL conf: pyHanko, asn1crypto and the certificate validator weigh some 25 MB."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import re

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel, SuspiciousModification
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reports.models import GeneratedReport, GeneratedReportStatus, SignedCopy, TrustRoot

from .verdicts import SignatureInputError, SignatureResult, Verification

logger = logging.getLogger(__name__)

EXPIRED_INDICATIONS = {"EXPIRED", "NOT_YET_VALID", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}
REVOKED_INDICATIONS = {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}
EOF_MARKER = re.compile(rb"%%EOF(\r\n|\r|\n)?")


def open_pdf(content: bytes) -> PdfFileReader:
    if len(content) > settings.SIGNED_PDF_MAX_BYTES:
        raise SignatureInputError(
            _("Tệp quá lớn: tối đa %(mb)d MB.") % {"mb": settings.SIGNED_PDF_MAX_BYTES // (1024 * 1024)}
        )
    if b"%PDF-" not in content[:1024]:
        raise SignatureInputError(_("Tệp không phải là PDF."))
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        encrypted = reader.encrypted
        if not encrypted:
            reader.root  # noqa: B018 - reading the catalogue is what proves the file is readable
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        logger.info("unreadable PDF: %s", exc)
        raise SignatureInputError(_("Tệp PDF bị hỏng, không đọc được.")) from exc
    if encrypted:
        raise SignatureInputError(_("Tệp PDF được mã hóa (đặt mật khẩu): hãy tải lên bản không mã hóa."))
    return reader


def revision_hashes(content: bytes) -> dict[str, int]:
    """SHA-256 of every prefix of the file that ends a revision ("%%EOF", with or without its end of line) →
    the prefix's length. An issued file signed with incremental updates starts with the issued bytes."""
    hashes = {}
    for match in EOF_MARKER.finditer(content):
        for end in {match.start() + 5, match.end()}:
            hashes[hashlib.sha256(content[:end]).hexdigest()] = end
    return hashes


def trust_roots() -> list[asn1_x509.Certificate]:
    roots = []
    for text in TrustRoot.objects.filter(is_active=True).values_list("certificate_pem", flat=True):
        _type, _headers, der = pem.unarmor(text.encode())
        roots.append(asn1_x509.Certificate.load(der))
    return roots


def _signing_moment(claimed: datetime.datetime | None, issued_at: datetime.datetime | None) -> datetime.datetime:
    """When the signature was made, for checking the certificate's validity then. A PAdES-B-B signature has only
    the time its signer claims: it cannot be later than now, nor earlier than the document it signs."""
    now = timezone.now()
    moment = min(claimed or now, now)
    if issued_at is not None:
        moment = max(moment, issued_at)
    return moment


def _name(cert) -> str:
    try:
        return cert.subject.human_friendly
    except (ValueError, AttributeError):
        return ""


def _classify(status) -> tuple[str, str]:
    if not status.intact:
        return "modified", ""
    if not status.valid:
        return "broken", ""
    level = status.modification_level
    if (
        level is None
        or level > ModificationLevel.FORM_FILLING
        or status.docmdp_ok is False
        or status.coverage is None
        or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION
    ):
        return "modified", ""
    if status.trusted:
        return "valid", ""
    indication = status.trust_problem_indic.name if status.trust_problem_indic else ""
    if indication in EXPIRED_INDICATIONS:
        return "expired", indication
    if indication in REVOKED_INDICATIONS:
        return "revoked", indication
    return "untrusted", indication


def _verify_one(embedded, roots, issued_at) -> SignatureResult:
    name = str(embedded.field_name or "")
    try:
        claimed = embedded.self_reported_timestamp
        moment = _signing_moment(claimed, issued_at)
        context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment, revocation_mode="soft-fail")
        status = validate_pdf_signature(embedded, context, diff_policy=DEFAULT_DIFF_POLICY)
        timestamp = status.timestamp_validity
        timestamped = bool(timestamp and timestamp.intact and timestamp.valid and timestamp.trusted)
        if timestamp is not None and timestamped and abs((timestamp.timestamp - moment).total_seconds()) > 1:
            # A trusted timestamp is proof of the time: check the certificate at that time instead.
            moment = _signing_moment(timestamp.timestamp, issued_at)
            context = ValidationContext(
                trust_roots=roots, allow_fetching=False, moment=moment, revocation_mode="soft-fail"
            )
            status = validate_pdf_signature(embedded, context, diff_policy=DEFAULT_DIFF_POLICY)
    except Exception as exc:  # any parsing or structural failure of one signature is that signature's verdict
        logger.info("signature %s could not be validated: %s", name, exc)
        return SignatureResult(field=name, outcome="broken", detail=type(exc).__name__)
    outcome, detail = _classify(status)
    return SignatureResult(
        field=name,
        outcome=outcome,
        signer=_name(status.signing_cert),
        issuer=status.signing_cert.issuer.human_friendly,
        signed_at=moment,
        timestamped=timestamped,
        detail=detail,
    )


def _issued_match(content: bytes, reader: PdfFileReader, result: Verification) -> int | None:
    """Find the issued document; return the revision index of the issued file inside this one."""
    result.signed_copy = SignedCopy.objects.select_related("report").filter(sha256=result.sha256).first()
    prefixes = revision_hashes(content)
    report = (
        GeneratedReport.objects.select_related("cycle", "submission__agency")
        .filter(status=GeneratedReportStatus.READY, sha256__in=list(prefixes))
        .order_by("-created_at")
        .first()
    )
    if report is None:
        if result.signed_copy is not None:
            result.report = result.signed_copy.report
        return None
    result.report = report
    length = prefixes[report.sha256]
    result.is_issued_file = length >= len(content.rstrip())
    issued_reader = PdfFileReader(io.BytesIO(content[:length]), strict=False)
    return issued_reader.xrefs.total_revisions - 1


# What the update that adds the first signature field may change in objects that already existed: the catalogue
# gains /AcroForm, a page gains /Annots (or its annotation array grows), the document information its producer and
# date. Everything else it writes must be new objects.
FIRST_UPDATE_KEYS = {"/AcroForm", "/Annots", "/Perms", "/DSS", "/Producer", "/ModDate", "/Metadata"}


def _annotation_arrays(resolver) -> set:
    """References of the pages' indirect /Annots arrays in one revision."""
    refs: set = set()
    catalog = resolver(resolver.root_ref)
    stack = [catalog.raw_get("/Pages")]
    while stack:
        item = stack.pop()
        node = resolver(item.reference) if hasattr(item, "reference") else item
        if not isinstance(node, DictionaryObject):
            continue
        if "/Kids" in node:
            kids = node.raw_get("/Kids")
            kids = resolver(kids.reference) if hasattr(kids, "reference") else kids
            stack.extend(kids.raw_get(i) for i in range(len(kids)))
        annots = node.raw_get("/Annots") if "/Annots" in node else None
        reference = getattr(annots, "reference", None)
        if reference is not None:
            refs.add(reference)
    return refs


def _first_update_only_adds_fields(reader: PdfFileReader, base_revision: int) -> bool:
    """pyHanko's difference analysis needs a form in the earlier revision; a document issued before the portal
    put signature fields in it has none, so the update that creates the form is checked here."""
    old, new = reader.get_historical_resolver(base_revision), reader.get_historical_resolver(base_revision + 1)
    annotation_arrays = _annotation_arrays(new)
    for ref in reader.xrefs.explicit_refs_in_revision(base_revision + 1):
        try:
            before = old(ref)
        except (PdfError, KeyError, IndexError):
            continue  # a new object
        if before is None or before.__class__.__name__ == "NullObject":
            continue
        after = new(ref)
        if isinstance(before, ArrayObject) and isinstance(after, ArrayObject) and ref in annotation_arrays:
            if list(after.raw_get(i) for i in range(len(before))) != list(
                before.raw_get(i) for i in range(len(before))
            ):
                return False
            continue
        if not (isinstance(before, DictionaryObject) and isinstance(after, DictionaryObject)):
            return False
        for key in set(before) | set(after):
            if key not in FIRST_UPDATE_KEYS and before.raw_get(key) != after.raw_get(key):
                return False
    return True


def _only_signing_since(reader: PdfFileReader, base_revision: int) -> bool:
    """Every update appended to the issued file is signing: filled signature fields, validation data."""
    try:
        if "/AcroForm" not in reader.get_historical_root(base_revision):
            if not _first_update_only_adds_fields(reader, base_revision):
                return False
            base_revision += 1
            if base_revision >= reader.xrefs.total_revisions - 1:
                return True
        review = DEFAULT_DIFF_POLICY.review_file(reader, base_revision)
    except Exception as exc:  # a malformed update is as good as an unexplained one
        logger.info("difference analysis failed: %s", exc)
        return False
    return (
        not isinstance(review, SuspiciousModification) and review.modification_level <= ModificationLevel.FORM_FILLING
    )


def _collect_signatures(reader: PdfFileReader) -> tuple[list, list[SignatureResult]]:
    """(the readable signatures in signing order, a "broken" result per signature that cannot even be read).
    pyHanko's own collection stops at the first unreadable one and skips unknown formats silently."""
    readable, broken = [], []
    for name, value, field_ref in enumerate_sig_fields(reader, filled_status=True):
        try:
            signature = value.get_object()
            if signature.get("/Type") == "/DocTimeStamp":
                continue  # a document timestamp (PAdES-LTA) is not a signer
            if signature.get("/SubFilter") not in {f.value for f in SigSeedSubFilter}:
                raise ValueError(f"unsupported signature format {signature.get('/SubFilter')}")
            readable.append(EmbeddedPdfSignature(reader, field_ref.get_object(), name))
        except Exception as exc:  # unreadable: reported as broken, the other signatures still checked
            logger.info("signature %s cannot be read: %s", name, exc)
            broken.append(SignatureResult(field=str(name), outcome="broken", detail=type(exc).__name__))
    return sorted(readable, key=lambda signature: signature.signed_revision), broken


def document_verify(*, content: bytes) -> Verification:
    """Verify any PDF. Raises SignatureInputError (with the sentence to show) when it cannot be read at all."""
    reader = open_pdf(content)
    result = Verification(sha256=hashlib.sha256(content).hexdigest(), size=len(content))
    try:
        base_revision = _issued_match(content, reader, result)
        signatures, broken = _collect_signatures(reader)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        logger.info("unreadable signature structure: %s", exc)
        raise SignatureInputError(_("Tệp PDF bị hỏng, không đọc được.")) from exc
    if base_revision is not None and not result.is_issued_file:
        result.modified_after_issue = not _only_signing_since(reader, base_revision)
    roots = trust_roots()
    issued_at = result.report.finished_at if result.report else None
    result.signatures = [_verify_one(embedded, roots, issued_at) for embedded in signatures] + broken
    return result
