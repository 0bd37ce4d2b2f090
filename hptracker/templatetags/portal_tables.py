"""{% table_body table %}: the <tbody> of a django-tables2 table, written in Python.

django-tables2's template (django_tables2/table.html) loops over every row and every cell through the template
engine; a dashboard list of 50 rows × 5 columns spent half of its page there (the proposals page nationally:
42 ms, 9 rows in the city against 50). This tag writes the same elements, attributes and escaping as that
block: each row's attributes, each cell's <td> attributes, the value rendered as `{{ cell }}` renders it (or
localized / unlocalized where the column says so), and the table's empty text in one cell across the columns.
tests/test_table_rendering.py renders every table of the portal both ways and compares them.
"""

from __future__ import annotations

from django import template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _attributes_html(attrs) -> str:
    """`{{ x.as_html }}` of a django-tables2 AttributeDict; nothing where the table has none (the template reads
    a missing key as an empty string)."""
    return attrs.as_html() if hasattr(attrs, "as_html") else ""


def _cell_html(column, cell, context) -> str:
    if column.localize is None:
        return render_value_in_context(cell, context)
    value = localize(cell) if column.localize else unlocalize(cell)
    return render_value_in_context(value, context)


@register.simple_tag(takes_context=True)
def table_body(context, table) -> SafeString:
    parts = [f"<tbody {_attributes_html(table.attrs.get('tbody'))}>"]
    rows = list(table.paginated_rows)
    for row in rows:
        parts.append(f"<tr {_attributes_html(row.attrs)}>")
        for column, cell in row.items():
            parts.append(f"<td {_attributes_html(column.attrs.get('td'))}>{_cell_html(column, cell, context)}</td>")
        parts.append("</tr>")
    if not rows and table.empty_text:
        parts.append(f'<tr><td colspan="{len(table.columns)}">{conditional_escape(table.empty_text)}</td></tr>')
    parts.append("</tbody>")
    return mark_safe("".join(parts))  # every value above is escaped, or safe HTML from the column
