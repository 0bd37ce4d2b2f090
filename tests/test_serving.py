"""A gunicorn worker settles once it has loaded the application (hptracker.serving): every view imported, and the
objects loaded so far frozen out of the garbage collector's walks (35 ms of a 120 ms national-scale page)."""

from __future__ import annotations

from tests.fresh_process import json_from_fresh_process

# gunicorn's own hook, read from its configuration file as gunicorn reads it.
WORKER = """
import gc, json, runpy, sys
import django
django.setup()
configuration = runpy.run_path("hptracker/gunicorn.conf.py")
before = gc.get_freeze_count()
configuration["post_worker_init"](None)
print(json.dumps({"before": before, "after": gc.get_freeze_count(),
                  "views": "reports.dashboard.views" in sys.modules}))
"""


def test_each_worker_imports_its_views_and_freezes_what_it_loaded():
    worker = json_from_fresh_process(WORKER)
    assert worker["before"] == 0
    assert worker["views"]
    assert worker["after"] > 50_000  # Django, the models, the views, the catalogues
