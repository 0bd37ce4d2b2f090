"""Document numbers and the issuer profile of the consolidated report.

Numbers restart at 01 on each 1 January, per issuing body (Nghị định 30/2020): one DocumentNumber row per
(agency, year), incremented under a row lock so that two leaders issuing at the same moment never get the same
number.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from agencies.models import Agency
from plans.models import RuleRecipient
from reports.models import DocumentNumber, IssuerProfile

# The number is shown as "Số: …/BC-SGDĐT" on a draft: the space is filled in by the clerk (văn thư) when the
# document is registered.
DRAFT_NUMBER = "…"
CONSOLIDATOR_CODE = "SGDDT"


def allocate_document_number(*, agency: Agency, year: int) -> int:
    """The next number of `agency` in `year`. Must run inside the caller's transaction, so that a failure
    later in the same transaction gives the number back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_document_number must run inside transaction.atomic()")
    try:
        # A savepoint, so that losing the race to create the year's row does not break the outer transaction.
        with transaction.atomic():
            DocumentNumber.objects.get_or_create(agency=agency, year=year)
    except IntegrityError:
        pass
    row = DocumentNumber.objects.select_for_update().get(agency=agency, year=year)
    row.last_number += 1
    row.save(update_fields=["last_number"])
    return row.last_number


def format_number(number: int | None) -> str:
    """Numbers under 10 are written with a leading zero ("05"); a draft has no number yet."""
    return DRAFT_NUMBER if number is None else f"{number:02d}"


def document_symbol(*, number: int | None, kind: str, issuer_symbol: str) -> str:
    """ "05/BC-SGDĐT": the symbol keeps "Đ" (never folded to "D")."""
    return f"{format_number(number)}/{kind}-{issuer_symbol}"


def default_issuer_profile() -> IssuerProfile:
    """The profile marked default, or the first one; created for the Sở GD&ĐT when none exists yet, so that
    the first draft can be made on a fresh install. The signer's name is left for the administrator: a draft
    says so instead of printing an invented name."""
    profile = IssuerProfile.objects.select_related("agency").filter(is_default=True).first()
    if profile is None:
        profile = IssuerProfile.objects.select_related("agency").order_by("pk").first()
    if profile is not None:
        return profile
    # The consolidator is whoever first receives the agencies' reports (data, not a code); the code is only the
    # fallback of an install whose rules have no recipient yet.
    first = RuleRecipient.objects.consolidating().select_related("agency").first()
    agency = first.agency if first else Agency.objects.get(code=CONSOLIDATOR_CODE)
    # An official document's wording is Vietnamese whatever language the requesting person reads the portal in,
    # so these stored defaults are plain text, not translated strings.
    return IssuerProfile.objects.create(
        agency=agency,
        name=f"{agency.short_name} — báo cáo tổng hợp",
        document_kind="BC",
        place="Hải Phòng",
        addressee="Ủy ban nhân dân thành phố",
        signer_prefix="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="",
        recipients=["Như trên", "Giám đốc, các Phó Giám đốc Sở", "Lưu: VT, KHTC"],
        is_default=True,
    )


def issuer_snapshot(profile: IssuerProfile) -> dict:
    """What the document is issued with, copied into the record so a later rename or a new signer does not
    change a document already issued."""
    agency = profile.agency
    return {
        "issuer": {
            "parent_body": agency.parent_body,
            "name": agency.name,
            "symbol": agency.symbol,
            "agency_id": agency.pk,
        },
        "document_kind": profile.document_kind,
        "place": profile.place,
        "addressee": profile.addressee,
        "signer": {
            "authority": profile.signer_authority,
            "prefix": profile.signer_prefix,
            "title": profile.signer_title,
            "name": profile.signer_name,
        },
        "recipients": list(profile.recipients or []),
    }
