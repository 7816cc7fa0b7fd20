"""Domain errors raised by services; views show them beside a field, the API as 409/422."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused the operation. `field` names the form field the message belongs to."""

    status = 422
    code = "rule_refused"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """Someone else changed the object first (optimistic locking) or it already exists."""

    status = 409
    code = "conflict"
