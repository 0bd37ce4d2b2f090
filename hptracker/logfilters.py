"""Logging filters of the project."""

from __future__ import annotations

import logging


class QuietClientErrors(logging.Filter):
    """A refused request (403, 404 …) is the portal working as meant: one line naming the status and the path,
    not a traceback of the PermissionDenied that produced it. Server errors (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
