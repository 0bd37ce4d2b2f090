"""The one way in for what people type and post: text fields that refuse control characters and count length as
the browser's `maxlength` does, ids and versions parsed as ASCII digits within their column's range, and a 400
page with a Vietnamese sentence for a request no form of ours could have sent.

Django's own IntegerField accepts any Unicode digit ("²" fails in int(), "٣" becomes 3) and no upper bound, and
its CharField lets through every control character but NUL; both have given 500s (issue 14).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from hptracker.paging import MAX_PER_PAGE as PAGE_ROWS_LIMIT
from hptracker.paging import bounded_per_page

# PostgreSQL's integer and bigint: the largest value each column type stores.
INT_MAX = 2_147_483_647
BIGINT_MAX = 9_223_372_036_854_775_807

# C0 controls but tab and line ends, DEL, C1 controls, and lone surrogates (a browser never sends them; a forged
# body decoded with errors="surrogateescape" might). Line ends are normalised before this runs.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def plain_text(value: str) -> str:
    """NFC with "\\n" line ends: the form in which text is stored, and the one whose length the browser's
    `maxlength` counts (it sees a line end as one character, the submitted body has two)."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value) is not None


def reject_control_characters(value: str) -> None:
    if has_control_characters(value):
        raise ValidationError(
            _("Nội dung có ký tự điều khiển không hiển thị được (ví dụ ký tự NUL); xin gõ lại hoặc dán lại đoạn chữ."),
            code="control_characters",
        )


class PlainTextField(forms.CharField):
    """A text field for what people type: NFC, "\\n" line ends, no control characters, and a `max_length` that is
    both the server's limit and the browser's `maxlength` (the template's counter shows it)."""

    default_validators = [reject_control_characters]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Django's NUL check says the same as ours, less clearly: one message, not two.
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def to_python(self, value):
        value = super().to_python(value)
        return plain_text(value) if isinstance(value, str) else value


def parse_id(value: str | None, *, maximum: int = BIGINT_MAX) -> int | None:
    """An id or version as sent by our own pages: ASCII digits only, 1 ≤ n ≤ maximum; None otherwise."""
    if value is None or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= maximum else None


class AsciiIntegerField(forms.IntegerField):
    """An integer typed or posted as ASCII digits within a PostgreSQL column's range (INT_MAX by default)."""

    def __init__(self, *, max_value: int = INT_MAX, min_value: int = 1, **kwargs):
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)
        if "invalid" in (kwargs.get("error_messages") or {}):
            # Ids and versions come from our own pages: out of range is as malformed as not a number.
            for code in ("max_value", "min_value"):
                self.error_messages[code] = self.error_messages["invalid"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _ASCII_DIGITS.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class MalformedRequest(BadRequest):
    """A request none of our pages sends (a forged id, a field under a name no form has). Answered with 400 and
    the sentence given, by hptracker.middleware.MalformedRequestMiddleware; nothing has been written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def require_id(value: str | None, *, what: str, maximum: int = BIGINT_MAX) -> int:
    number = parse_id(value, maximum=maximum)
    if number is None:
        raise MalformedRequest(str(_("Yêu cầu không hợp lệ: %(what)s không đúng định dạng.") % {"what": what}))
    return number


def require_ids(values: Iterable[str], *, what: str, maximum: int = BIGINT_MAX) -> list[int]:
    return [require_id(value, what=what, maximum=maximum) for value in values]


class BoundedPaginator(Paginator):
    """django-tables2 takes `?per_page=` from the query string as it comes: 0 divides by zero and a negative
    number fails inside its own error handling (a 500). Kept within 1…MAX_PER_PAGE."""

    MAX_PER_PAGE = PAGE_ROWS_LIMIT

    def __init__(self, object_list, per_page, *args, **kwargs):
        super().__init__(object_list, bounded_per_page(per_page, self.MAX_PER_PAGE), *args, **kwargs)
