"""What a verification found, as the pages show it: the verdict of every signature and of the document. Shared by
verification.py (the entry point) and pdf_checks.py (the pyHanko checks that fill it in)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from reports.errors import WorkflowError
from reports.models import GeneratedReport, SignedCopy

# Worst first: a document's verdict is that of its worst signature.
OUTCOMES = {
    "broken": gettext_lazy("Chữ ký bị hỏng hoặc không đúng định dạng"),
    "modified": gettext_lazy("Tài liệu đã bị sửa sau khi ký"),
    "revoked": gettext_lazy("Chứng thư số đã bị thu hồi"),
    "expired": gettext_lazy("Chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm ký"),
    "untrusted": gettext_lazy("Chữ ký hợp lệ nhưng chứng thư không thuộc danh sách tin cậy"),
    "unsigned": gettext_lazy("Tài liệu chưa được ký số"),
    "valid": gettext_lazy("Hợp lệ"),
}


class SignatureInputError(WorkflowError):
    """The file cannot be verified at all (not a PDF, encrypted, too big, unreadable)."""


@dataclass
class SignatureResult:
    field: str
    outcome: str
    signer: str = ""
    issuer: str = ""
    signed_at: datetime.datetime | None = None
    timestamped: bool = False
    detail: str = ""

    @property
    def message(self) -> str:
        return str(OUTCOMES[self.outcome])

    def as_json(self) -> dict:
        return {
            "field": self.field,
            "outcome": self.outcome,
            "signer": self.signer,
            "issuer": self.issuer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped": self.timestamped,
        }


@dataclass
class Verification:
    sha256: str
    size: int
    report: GeneratedReport | None = None  # the issued document this file is, or was signed from
    is_issued_file: bool = False  # byte for byte the unsigned file the portal issued
    signed_copy: SignedCopy | None = None  # byte for byte a signed copy the portal recorded
    modified_after_issue: bool = False
    signatures: list[SignatureResult] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.modified_after_issue:
            return "modified"
        if not self.signatures:
            return "unsigned"
        order = list(OUTCOMES)
        return min((s.outcome for s in self.signatures), key=order.index)

    @property
    def message(self) -> str:
        return str(OUTCOMES[self.outcome])

    @property
    def is_valid(self) -> bool:
        return self.outcome == "valid"
