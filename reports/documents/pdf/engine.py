"""The WeasyPrint side of render.py, imported by `render_pdf` on the first render only: WeasyPrint and fontTools
weigh some 40 MB, which web workers serving pages and the Celery worker exporting dashboards would otherwise carry.

Left alone, WeasyPrint would follow any URL in the document (HTTP, file://). Our templates reference only the
bundled stylesheet and fonts under a fixed pseudo-origin; the fetcher maps those to files found by Django's
staticfiles finders and refuses everything else, so text typed by users can never make the renderer read a
local file or call the network.
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticFilesFetcher(URLFetcher):
    """Serves URLs under `static_base` (render.STATIC_BASE) from disk and `data:` URLs (inline chart images);
    refuses the rest."""

    def __init__(self, static_base: str) -> None:
        # fail_on_errors: a missing font must stop the render, not silently fall back to another face.
        super().__init__(allowed_protocols={"https", "data"}, fail_on_errors=True)
        self.static_base, self.static_path = static_base, urlsplit(static_base).path

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(self.static_base):
            raise ValueError(f"refused to fetch {url!r}: PDFs may load only bundled static files")
        relative = posixpath.normpath(unquote(urlsplit(url).path)[len(self.static_path) :])
        if relative.startswith(("..", "/")):
            raise ValueError(f"refused to fetch {url!r}: outside static files")
        path = finders.find(relative)
        if not path:
            raise FileNotFoundError(f"static file not found: {relative}")
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def lay_out(html: str, *, static_base: str) -> tuple[bytes, int]:
    """The PDF bytes and page count of `html`, whose static files are under `static_base`."""
    fetcher = StaticFilesFetcher(static_base)
    document = HTML(string=html, base_url=static_base, url_fetcher=fetcher).render(font_config=FontConfiguration())
    return document.write_pdf(), len(document.pages)
