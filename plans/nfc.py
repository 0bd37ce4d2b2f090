"""Every text of the portal is stored NFC, whichever way it arrives (a form, the admin, a command, a fixture).

Services already clean what people type; this pre_save hook is the net under them, so that text pasted from
Word or macOS (often NFD) through the admin never reaches the database decomposed.
"""

from __future__ import annotations

from django.db import models

from hptracker.text import nfc

APPS = ("agencies", "plans", "reports")


def _nfc(value):
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    return value


def normalise_text_fields(sender, instance, **kwargs) -> None:
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField | models.JSONField):
            value = getattr(instance, field.attname)
            if value is not None:
                setattr(instance, field.attname, _nfc(value))


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import pre_save

    for app_label in APPS:
        for model in apps.get_app_config(app_label).get_models():
            pre_save.connect(normalise_text_fields, sender=model, dispatch_uid=f"nfc-{model._meta.label}")
