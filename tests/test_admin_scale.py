"""The admin's add and change pages at national scale: a relation to a model with thousands or millions of rows is
never a select of all of them (a select of every report made the report's change page 1.7 MB and 50 s with the
national set; evidence and issued documents took 6 s in the demo)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from reports.models import Submission, TaskReport
from reports.submissions.services import submission_submit
from tests.reports.submission_helpers import fill_progress, open_cycle, started

# Models whose rows number in the thousands (reports) or millions (task reports) nationally.
BIG = (Submission, TaskReport)


def admins():
    """Every ModelAdmin of the site and every inline of theirs."""
    for model_admin in admin.site._registry.values():
        yield model_admin
        for inline in model_admin.inlines:
            yield inline(model_admin.model, admin.site)


def test_no_admin_page_offers_a_select_of_every_report_or_task_report():
    offending = []
    for model_admin in admins():
        editable = [
            field
            for field in [*model_admin.model._meta.fields, *model_admin.model._meta.many_to_many]
            if field.is_relation and field.related_model in BIG
        ]
        for field in editable:
            if field.name in model_admin.readonly_fields or not getattr(field, "editable", True):
                continue
            if field.name not in (*model_admin.raw_id_fields, *model_admin.autocomplete_fields):
                offending.append(f"{model_admin.model.__name__}.{field.name}")
    assert offending == []


@pytest.mark.django_db
def test_a_reports_and_a_task_reports_change_pages_list_no_reports(client, plan, agency, agency_staff, agency_head):
    administrator = agency_head
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    for year in (2024, 2025):  # reports in two cycles: a select would list both
        report = started(open_cycle(plan, year), agency, agency_staff)
        fill_progress(report)
        submission_submit(submission=report, by=agency_head)
    client.force_login(administrator)
    task_report = report.task_reports.first()
    for url in (
        reverse("admin:reports_submission_change", args=[report.pk]),
        reverse("admin:reports_submission_add"),
        reverse("admin:reports_taskreport_change", args=[task_report.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<select name="prefilled_from"' not in html and '<select name="submission"' not in html, url
        assert 'class="vForeignKeyRawIdAdminField"' in html, url  # the id, with its lookup button
