"""The password backend, loading the signed-in person with their membership and agency in one query.

Every page asks who the person is (role, agency: reports.permissions) and the header shows the agency's short
name; with Django's ModelBackend that is three queries per request (user, membership, agency), here one. What else
every page's navigation asks of the person (settings.USER_ANNOTATIONS: reports.navigation.user_annotations, since
agencies may not import what it counts) comes in the same query as annotations.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils.module_loading import import_string


class MembershipBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("membership__agency").annotate(**_annotations())
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def _annotations() -> dict:
    # Built for each request (import_string finds the module already loaded): an expression keeps what it
    # resolved against the first queryset that used it.
    path = getattr(settings, "USER_ANNOTATIONS", "")
    return import_string(path)() if path else {}
