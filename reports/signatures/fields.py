"""Where signatures go on a portal document, and the empty signature fields put there before it is issued.

Nghị định 30/2020, Phụ lục I: the signer's signature image sits in the blank space of the signature block (between
the title and the name) and the body's seal overlaps the left third of it. The PDF templates mark that space with
two anchors (`templates/pdf/_closing.html`): WeasyPrint writes every `id` as a named destination, so its top-left
and bottom-right corners are read back from the rendered PDF, whatever page the closing fell on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec, append_signature_field, ensure_sig_flags, enumerate_sig_fields
from pypdf import PdfReader

SIGNER_FIELD = "ChuKyNguoiKy"  # the competent person's signature (their own token or remote-signing service)
SEAL_FIELD = "ChuKyCoQuan"  # the body's signature: its seal image, signed with the body's certificate
SPACE_START, SPACE_END = "o-chu-ky", "o-chu-ky-cuoi"

SIGNER_WIDTH = 170.0  # points (6 cm): a signature image
SEAL_SIDE_MAX = 85.0  # points (3 cm)
SEAL_FIELD_WIDTH = 200.0  # the seal and, beside it, "Cơ quan: …", "Thời gian ký: …" in 10 pt


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def as_tuple(self) -> tuple[int, int, int, int]:
        return round(self.x0), round(self.y0), round(self.x1), round(self.y1)


@dataclass(frozen=True)
class SignaturePlaces:
    page: int  # 0-based
    signer: Box
    seal: Box
    seal_side: float  # the seal image is a square of this side at the seal field's left edge


def _places_in_space(page: int, space: Box) -> SignaturePlaces:
    signer_width = min(SIGNER_WIDTH, space.width)
    centre = (space.x0 + space.x1) / 2
    signer = Box(centre - signer_width / 2, space.y0, centre + signer_width / 2, space.y1)
    side = min(SEAL_SIDE_MAX, space.height)
    # The seal's right edge lies one third into the signer's box: it covers the left third of the signature.
    seal_x0 = signer.x0 + signer.width / 3 - side
    seal = Box(seal_x0, signer.y1 - side, seal_x0 + SEAL_FIELD_WIDTH, signer.y1)
    return SignaturePlaces(page=page, signer=signer, seal=seal, seal_side=side)


def signature_places(*, content: bytes) -> SignaturePlaces:
    """The places on a rendered document. A PDF without the anchors (not made from our templates) gets them at
    the bottom right of its last page, above the bottom margin."""
    reader = PdfReader(io.BytesIO(content))
    destinations = reader.named_destinations
    start, end = destinations.get(SPACE_START), destinations.get(SPACE_END)
    if start is not None and end is not None:
        page = reader.get_destination_page_number(start)
        corners = (start.left, end.top, end.left, start.top)
        if page is not None and page == reader.get_destination_page_number(end) and None not in corners:
            space = Box(*(float(c) for c in corners))  # type: ignore[arg-type]  # None excluded above
            if space.width > 0 and space.height > 0:
                return _places_in_space(page, space)
    last = len(reader.pages) - 1
    box = reader.pages[last].mediabox
    right, bottom = float(box.right) - 42.5, float(box.bottom) + 85.0  # 15 mm right margin, 30 mm from the bottom
    return _places_in_space(last, Box(right - 260.0, bottom, right, bottom + 80.0))


def existing_signature_fields(reader: PdfFileReader) -> dict[str, bool]:
    """Signature field name → already signed."""
    return {name: value is not None for name, value, _ in enumerate_sig_fields(reader, filled_status=None)}


def add_signature_fields(writer: IncrementalPdfFileWriter, places: SignaturePlaces) -> None:
    """Add whichever of the two fields the document does not have yet (a document may be prepared twice)."""
    existing = existing_signature_fields(writer.prev)
    if SIGNER_FIELD not in existing:
        append_signature_field(writer, SigFieldSpec(SIGNER_FIELD, on_page=places.page, box=places.signer.as_tuple()))
    if SEAL_FIELD not in existing:
        append_signature_field(writer, SigFieldSpec(SEAL_FIELD, on_page=places.page, box=places.seal.as_tuple()))
    # "Signatures exist, append only" from the start: the signing update then leaves the form's flags as they are,
    # which the difference analysis of a signed copy against the issued file requires.
    ensure_sig_flags(writer, lock_sig_flags=True)


def document_prepare_for_signing(*, content: bytes) -> bytes:
    """The rendered PDF with its two empty signature fields, appended as an incremental update so that the
    rendered bytes stay untouched at the start of the file. Called by the document service after rendering,
    before the file is hashed and stored: the stored SHA-256 is that of the prepared file."""
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    before = existing_signature_fields(writer.prev)
    if SIGNER_FIELD in before and SEAL_FIELD in before:
        return content
    add_signature_fields(writer, signature_places(content=content))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
