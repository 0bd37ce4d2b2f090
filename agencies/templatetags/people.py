"""`{{ user|full_name }}`: a person's name family name first (agencies.names)."""

from __future__ import annotations

from django import template

from agencies.names import full_name as _full_name

register = template.Library()


@register.filter
def full_name(user) -> str:
    return _full_name(user) or "—"
