"""HTML → PDF with WeasyPrint, fetching nothing but our own static files.

WeasyPrint would otherwise follow any URL in the document (HTTP, file://). Our templates reference only the
bundled stylesheet and fonts under a fixed pseudo-origin; the fetcher maps those to files found by Django's
staticfiles finders and refuses everything else, so text typed by users can never make the renderer read a
local file or call the network.
"""

from __future__ import annotations

import mimetypes
import posixpath
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Templates write {{ static_base }}css/pdf.css; this origin exists only inside the renderer.
STATIC_ORIGIN = "https://hptracker-static.invalid"
STATIC_BASE = f"{STATIC_ORIGIN}/static/"


class StaticFilesFetcher(URLFetcher):
    """Serves STATIC_BASE URLs from disk and `data:` URLs (inline chart images); refuses the rest."""

    def __init__(self) -> None:
        # fail_on_errors: a missing font must stop the render, not silently fall back to another face.
        super().__init__(allowed_protocols={"https", "data"}, fail_on_errors=True)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(STATIC_BASE):
            raise ValueError(f"refused to fetch {url!r}: PDFs may load only bundled static files")
        relative = posixpath.normpath(unquote(urlsplit(url).path)[len("/static/") :])
        if relative.startswith(("..", "/")):
            raise ValueError(f"refused to fetch {url!r}: outside static files")
        path = finders.find(relative)
        if not path:
            raise FileNotFoundError(f"static file not found: {relative}")
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def render_pdf(html: str) -> RenderedPdf:
    """Lay out `html` and return the PDF bytes and page count."""
    font_config = FontConfiguration()
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticFilesFetcher()).render(font_config=font_config)
    return RenderedPdf(content=document.write_pdf(), page_count=len(document.pages))


def render_template_html(template_name: str, context: dict) -> str:
    """Official documents are written in Vietnamese whatever language the requester's interface uses."""
    with translation.override("vi"):
        return render_to_string(template_name, {**context, "static_base": STATIC_BASE})


def render_template_pdf(template_name: str, context: dict) -> RenderedPdf:
    return render_pdf(render_template_html(template_name, context))
