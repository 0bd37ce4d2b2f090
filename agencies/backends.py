"""The password backend, loading the signed-in person with their membership and agency in one query.

Every page asks who the person is (role, agency: reports.permissions) and the header shows the agency's short
name; with Django's ModelBackend that is three queries per request (user, membership, agency), here one.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MembershipBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("membership__agency")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
