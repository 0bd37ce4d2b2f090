"""HTML → PDF: the templates rendered in Vietnamese, laid out by WeasyPrint (engine.py, loaded on the first render)
with a fetcher that serves nothing but our own static files.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

# Templates write {{ static_base }}css/pdf.css; this origin exists only inside the renderer.
STATIC_ORIGIN = "https://hptracker-static.invalid"
STATIC_BASE = f"{STATIC_ORIGIN}/static/"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def render_pdf(html: str) -> RenderedPdf:
    """Lay out `html` and return the PDF bytes and page count."""
    # Imported here: WeasyPrint loads in the processes that render a document, not in every one that imports this.
    from reports.documents.pdf import engine

    content, page_count = engine.lay_out(html, static_base=STATIC_BASE)
    return RenderedPdf(content=content, page_count=page_count)


def render_template_html(template_name: str, context: dict) -> str:
    """Official documents are written in Vietnamese whatever language the requester's interface uses."""
    with translation.override("vi"):
        return render_to_string(template_name, {**context, "static_base": STATIC_BASE})


def render_template_pdf(template_name: str, context: dict) -> RenderedPdf:
    return render_pdf(render_template_html(template_name, context))
