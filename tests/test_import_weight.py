"""The document libraries load where a document is rendered, signed or verified, not in every process: a web worker
serving pages and the Celery worker exporting a dashboard import the URL conf and the tasks, never WeasyPrint,
python-docx or pyHanko (about 50 MB of the process, issue 11)."""

from __future__ import annotations

from tests.fresh_process import json_from_fresh_process

DOCUMENT_LIBRARIES = ("weasyprint", "docx", "pyhanko", "pyhanko_certvalidator", "fontTools")

# A fresh interpreter: the test process itself has rendered documents already.
SCRIPT = f"""
import json, sys
import django
django.setup()
import hptracker.urls, hptracker.celery, reports.dashboard.tasks, reports.documents.tasks
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as the first request loads them
print(json.dumps([name for name in {DOCUMENT_LIBRARIES!r} if name in sys.modules]))
"""


def test_loading_the_urls_celery_and_the_tasks_imports_no_document_library():
    assert json_from_fresh_process(SCRIPT) == []
