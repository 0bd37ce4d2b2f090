"""Typing help for views."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `@login_required`: its user is an account, never AnonymousUser. Annotating the
    view's argument with it tells the type checker what the decorator guarantees."""

    user: User
