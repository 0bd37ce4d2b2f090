"""hptracker.form_rendering writes plain inputs, text areas, labels and select boxes in Python: the same HTML as
Django's templates, character for character, for every case the portal's forms produce and the awkward ones."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.urls import reverse
from django.utils.safestring import mark_safe

from hptracker.form_rendering import PortalFormRenderer
from tests.reports.submission_helpers import open_cycle, started

TEMPLATES, PORTAL = DjangoTemplates(), PortalFormRenderer()
AWKWARD = "Kế hoạch \"193\" <b>&</b> 'số' 1/2"

WIDGETS = [
    (forms.TextInput(), "ten", None),
    (forms.TextInput(attrs={"maxlength": 80, "class": "x", "placeholder": AWKWARD}), "ten", AWKWARD),
    (forms.TextInput(attrs={"required": True, "disabled": False, "aria-describedby": "h1"}), "t-1-number", ""),
    (forms.TextInput(), "safe", mark_safe("<i>đã an toàn</i>")),
    (forms.HiddenInput(), "d0-TOTAL_FORMS", 3),
    (forms.HiddenInput(), "version", None),
    (forms.DateInput(attrs={"type": "date"}), "issued_on", datetime.date(2026, 11, 30)),
    (forms.DateInput(format="%d/%m/%Y"), "issued_on", datetime.date(2026, 3, 2)),
    (forms.NumberInput(attrs={"step": "0.01"}), "g1-value", Decimal("69.70")),
    (forms.CheckboxInput(), "d0-0-DELETE", True),
    (forms.CheckboxInput(), "d0-0-DELETE", False),
    (forms.FileInput(attrs={"accept": ".pdf,.docx"}), "evidence-3", None),
    (forms.PasswordInput(), "password", "bí mật"),
    (forms.EmailInput(), "email", "a@b.vn"),
    (forms.Textarea(), "t1-results", None),
    (forms.Textarea(), "t1-results", ""),
    (forms.Textarea(attrs={"rows": 4, "maxlength": 20000}), "t1-results", "Dòng 1\nDòng 2 </textarea><script>"),
    (forms.Textarea(), "assessment", mark_safe("<p>an toàn</p>")),
    # Select boxes: the inbox's filters, the dashboard's, the edit page's progress.
    (forms.Select(choices=[("", "Tất cả"), ("commune", "Xã, phường"), (AWKWARD, AWKWARD)]), "kind", ""),
    (forms.Select(choices=[("", "Tất cả"), ("commune", "Xã, phường"), (AWKWARD, AWKWARD)]), "kind", AWKWARD),
    (forms.Select(choices=[(2025, "2025"), (2024, "2024")], attrs={"required": True}), "year", 2024),
    (forms.Select(choices=[("Nhóm <1>", [("a", "A"), ("b", mark_safe("<i>B</i>"))]), ("c", "C")]), "group", "b"),
    (forms.Select(choices=[]), "empty", None),
    (forms.NullBooleanSelect(), "reported", True),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), "tags", ["a", "c"]),
]


@pytest.mark.parametrize(("widget", "name", "value"), WIDGETS)
def test_each_widget_is_the_html_djangos_template_gives(widget, name, value):
    attrs = {"id": f"id_{name}"}
    assert widget.render(name, value, attrs, renderer=PORTAL) == widget.render(name, value, attrs, renderer=TEMPLATES)


class LabelForm(forms.Form):
    plain = forms.CharField(label="Kết quả thực hiện")
    awkward = forms.CharField(label=AWKWARD)
    hidden_id = forms.CharField(label="Không có id", widget=forms.TextInput(attrs={"id": ""}))


@pytest.mark.parametrize("field", ["plain", "awkward", "hidden_id"])
@pytest.mark.parametrize("attrs", [None, {"class": "visually-hidden"}, {"class": AWKWARD, "hidden": True}])
def test_each_label_is_the_html_djangos_template_gives(field, attrs):
    portal, templates = LabelForm(renderer=PORTAL), LabelForm(renderer=TEMPLATES)
    assert portal[field].label_tag(attrs=attrs) == templates[field].label_tag(attrs=attrs)
    assert portal[field].label_tag(attrs=attrs, label_suffix=":") == templates[field].label_tag(
        attrs=attrs, label_suffix=":"
    )


def _page(client, url: str, renderer: str, settings) -> str:
    settings.FORM_RENDERER = renderer
    get_default_renderer.cache_clear()
    try:
        html = client.get(url).content.decode()
    finally:
        get_default_renderer.cache_clear()
    # What changes from one request to the next whatever renders the form.
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', r'\1=""', html)


@pytest.mark.django_db
def test_a_districts_edit_page_is_the_same_page_with_either_renderer(client, plan, district, district_staff, settings):
    """The 32-task edit page, every input, text area, label and formset of it."""
    submission = started(open_cycle(plan), district, district_staff)
    assert submission.task_reports.count() == 32
    report = submission.task_reports.first()
    report.results = AWKWARD
    report.save()
    client.force_login(district_staff)
    url = reverse("reports:submission_edit", args=[submission.pk])
    portal = _page(client, url, "hptracker.form_rendering.PortalFormRenderer", settings)
    templates = _page(client, url, "django.forms.renderers.DjangoTemplates", settings)
    assert portal.count("<textarea") >= 96 and "&lt;b&gt;" in portal
    assert portal == templates


def test_a_model_choice_box_is_the_html_djangos_template_gives(plan):
    """Boxes of agencies (ModelChoiceIteratorValue values, an empty label), as the inbox's former districts."""
    from agencies.models import Agency

    field = forms.ModelChoiceField(queryset=Agency.objects.order_by("name"), empty_label="Tất cả")
    assert len(field.choices) > 10
    chosen = Agency.objects.order_by("name")[3]
    for value in (None, chosen.pk, str(chosen.pk)):
        assert field.widget.render("former", value, {"id": "id_former"}, renderer=PORTAL) == field.widget.render(
            "former", value, {"id": "id_former"}, renderer=TEMPLATES
        )
