"""The visible appearance of the body's signature (Nghị định 30/2020, Phụ lục I): the red seal image, and the
body's name and the signing time in ISO 8601 with the Vietnamese offset, Times New Roman (the bundled Liberation
Serif, metric-compatible) 10 pt, black, upright."""

from __future__ import annotations

import datetime
import functools
import io
import os
import tempfile
from pathlib import Path

from django.contrib.staticfiles import finders
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from agencies.models import Agency
from reports.models import AgencyCertificate

from .fields import SEAL_SIDE_MAX

FONT = "fonts/LiberationSerif-Regular.ttf"
FONT_SIZE = 10
STAMP_TEXT = "Cơ quan: %(agency)s\nThời gian ký: %(signed_at)s"


@functools.lru_cache(maxsize=1)
def _font_path() -> str:
    """The bundled font rescaled to 1000 units per em. pyHanko 0.38 writes a TrueType font's advance widths in font
    units into the PDF's /W array, which is read as thousandths of an em: Liberation Serif has 2048 units per em,
    so its letters came out twice as far apart as they should (seen on the rendered page). Rescaled once per
    process into the temp folder."""
    source = finders.find(FONT)
    if not source:
        raise FileNotFoundError(f"bundled font missing: {FONT}")
    stat = os.stat(source)
    target = Path(tempfile.gettempdir()) / f"hptracker-{Path(FONT).stem}-{stat.st_size}-{int(stat.st_mtime)}-1000.ttf"
    if not target.exists():
        font = TTFont(source)
        scale_upem(font, 1000)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        font.save(str(partial))
        os.replace(partial, target)
    return str(target)


def _seal_image(certificate: AgencyCertificate) -> Image.Image:
    with certificate.seal_image.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image.convert("RGBA")


def seal_style(certificate: AgencyCertificate) -> TextStampStyle:
    """The seal at the field's top left (a square of the field's height, so that its right edge falls on the left
    third of the signer's box), the two lines of text at the bottom, over the seal's lower edge as a stamped
    seal and its annotation overlap on paper."""
    side = int(SEAL_SIDE_MAX)
    seal = PdfImage(_seal_image(certificate), box=layout.BoxConstraints(width=side, height=side))
    return TextStampStyle(
        stamp_text=STAMP_TEXT,
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(_font_path(), font_size=FONT_SIZE),
            font_size=FONT_SIZE,
            leading=FONT_SIZE + 2,
            border_width=0,
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(left=0, bottom=1),
        ),
        background=seal,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins(),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
        border_width=0,
    )


def text_params(*, agency: Agency, signed_at: datetime.datetime) -> dict[str, str]:
    """`signed_at` is local time: isoformat writes "+07:00"."""
    return {"agency": agency.name, "signed_at": signed_at.replace(microsecond=0).isoformat()}
