"""{% load figures %}: {{ value|number }} writes a figure with hptracker.formatting (half up, decimal comma in
Vietnamese), {{ value|count }} a count with its thousands grouped (1.385.900), so a page prints what the exports and
the documents print."""

from __future__ import annotations

from django import template

from hptracker.formatting import format_count, format_decimal, format_rate

register = template.Library()


@register.filter
def number(value, places: int = 1) -> str:
    return format_decimal(value, int(places))


@register.filter
def rate(value) -> str:
    return format_rate(value)


@register.filter
def count(value) -> str:
    return format_count(value)
