from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the person chose another language with the switcher (the language cookie).

    Many civil servants' browsers are set to English; the browser's Accept-Language must not turn the portal
    into English for them."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and translation.check_for_language(chosen):
            language = chosen
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class MalformedRequestMiddleware:
    """A request none of our pages sends (reports.inputs.MalformedRequest) gets the 400 page with the sentence
    that says what was wrong, instead of Django's generic 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Matched by name: hptracker imports no app (the import contracts), the class lives in reports.inputs.
        message = getattr(exception, "message", None)
        if type(exception).__name__ != "MalformedRequest" or not isinstance(message, str):
            return None
        return render(request, "400.html", {"message": message}, status=400)
