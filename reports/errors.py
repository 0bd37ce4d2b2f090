"""The one error a workflow service raises: a sentence the user can act on, already translated."""

from __future__ import annotations


class WorkflowError(Exception):
    """Raised by services when an action is refused; views show `message` and change nothing."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message
