"""The JSON error object used by everything under /api/."""
from __future__ import annotations

from flask import jsonify

_MESSAGES = {
    400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Payload too large", 422: "Refused by a rule",
    429: "Too many requests", 500: "Internal server error",
}
_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "rule_refused",
          429: "rate_limited", 500: "server_error"}


def error_response(status: int, message: str | None = None, fields: dict | None = None, code: str | None = None):
    body = {"error": {"code": code or _CODES.get(status, "error"),
                      "message": message or _MESSAGES.get(status, "Error"),
                      "fields": fields or {}}}
    return jsonify(body), status
