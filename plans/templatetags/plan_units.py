"""The units of a task or a duty item on the plan page (plans.selectors.Units), written in Python: the page has a
cell of them per task and per item, and an {% include %} per cell was two thirds of its rendering time (the city
set's 5,000 names)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from plans.selectors import Units

register = template.Library()


@register.simple_tag
def agency_units(units: Units, list_url: str) -> SafeString:
    """The names, then one line per populous kind that opens on its names, or on a link to their list (`list_url`,
    filtered by the kind) when there are too many to print."""
    parts = [", ".join(escape(name) for name in units.names)]
    for group in units.groups:
        if group.names:
            inside = mark_safe(", ".join(escape(name) for name in group.names))  # noqa: S308 (each name escaped)
        else:
            link = f"{list_url}?{urlencode({'kind': group.kind})}"
            inside = format_html('<a href="{}">{}</a>', link, _("Xem danh sách"))
        parts.append(
            format_html('<details class="agency-group"><summary>{}</summary>{}</details>', group.summary, inside)
        )
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)
