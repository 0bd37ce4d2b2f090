"""The portal's form renderer: Django's own templates, except the plain <input>, <textarea>, <label> and <select>
(with its options), written in Python.

The edit page of a district's report draws about 430 widgets and 130 labels (32 tasks, each with its texts, its
progress, a row for an issued document and an evidence file); through the template engine they took half of the
page's time; the inbox's filter of former districts, 1,500 options in the national data set, took 80 ms of a 100 ms
page. The HTML is character for character what Django's templates give: tests/test_form_rendering.py renders
widgets, labels, select boxes and the whole edit page both ways and compares them. Every other template (radio
buttons, formsets, field layouts) still goes through the engine; the portal overrides none of Django's form
templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape

# Each of these is django/forms/widgets/input.html, included as it is.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "hidden",
        "date",
        "datetime",
        "time",
        "number",
        "email",
        "url",
        "password",
        "search",
        "tel",
        "checkbox",
        "file",
        "color",
    )
)
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
LABEL_TEMPLATE = "django/forms/label.html"
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attributes(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html (and django/forms/attrs.html): False leaves the attribute out, True writes
    its name alone, anything else name="value"."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(parts)


def render_input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = f' value="{conditional_escape(value)}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{shown}{_attributes(widget['attrs'])}>"
    )


def render_textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


def render_label(context: Mapping[str, Any]) -> str:
    label = conditional_escape(context["label"])
    if not context["use_tag"]:
        return label
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attributes(context['attrs'] or {})}>{label}</{tag}>"


def render_option(option: Mapping[str, Any]) -> str:
    """django/forms/widgets/select_option.html: the value through |stringformat:'s' (a plain string, escaped)."""
    value = escape(str(option["value"]))  # |stringformat:"s" gives a plain string: always escaped
    return f'<option value="{value}"{_attributes(option["attrs"])}>{conditional_escape(option["label"])}</option>'


def render_select(widget: Mapping[str, Any]) -> str | None:
    """django/forms/widgets/select.html, its line breaks and indents included; None when an option has a template
    of its own (then the engine renders the whole box)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            # The option's template ends with a line break, which its include keeps (only the box is stripped).
            parts.append(f"\n  {render_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class PortalFormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER."""

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return render_input(context["widget"])
        if template_name == TEXTAREA_TEMPLATE:
            return render_textarea(context["widget"])
        if template_name == LABEL_TEMPLATE:
            return render_label(context)
        if template_name == SELECT_TEMPLATE:
            written = render_select(context["widget"])
            if written is not None:
                return written
        return super().render(template_name, context, request=request)
