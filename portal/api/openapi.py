"""The OpenAPI 3.1 document, generated from the endpoint registry (portal.api.core.REGISTRY)."""
from __future__ import annotations

from portal.api.core import ANY_USER, API_PREFIX, ID, PUBLIC, REGISTRY, Endpoint

ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}},
}
STATUS_TEXT = {200: "OK", 201: "Created", 400: "Malformed request or parameters", 401: "No valid token",
               403: "Your roles do not allow this", 404: "Not found, or not yours to see",
               409: "Someone changed it first (stale write)", 422: "Refused by a rule", 429: "Too many requests"}


def auth_text(spec: Endpoint) -> str:
    if spec.auth == PUBLIC:
        return "public"
    if spec.auth == ANY_USER:
        return "any user with a token"
    return "token of a user with the role " + " or ".join(r.value for r in spec.auth)


def _operation(spec: Endpoint) -> dict:
    parameters = [{"name": name, "in": "path", "required": True, "schema": ID}
                  for name in spec.path_params]
    parameters += [{"name": p.name, "in": "query", "required": p.required, "description": p.description,
                    "schema": p.schema} for p in spec.all_params]
    responses = {}
    for status in spec.statuses():
        if status == spec.status:
            content = {spec.produces: {"schema": spec.response}}
        else:
            content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        response = {"description": STATUS_TEXT.get(status, ""), "content": content}
        if status == 429:
            response["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
        responses[str(status)] = response
    operation = {
        "operationId": spec.operation_id, "summary": spec.summary, "tags": spec.tags,
        "description": (spec.description + "\n\n" if spec.description else "") + f"Access: {auth_text(spec)}.",
        "parameters": parameters, "responses": responses,
        "security": [] if spec.auth == PUBLIC else [{"bearerAuth": []}],
    }
    if spec.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": spec.body}}}
    return operation


def document(base_url: str) -> dict:
    paths: dict = {}
    for spec in sorted(REGISTRY, key=lambda e: (e.path, e.method)):
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {"title": "City grants portal API", "version": "1",
                 "description": "JSON API of the grants portal. Money is in öre. Send a personal API token "
                                "as `Authorization: Bearer <token>`; create one under /account/tokens."},
        "servers": [{"url": base_url + API_PREFIX}],
        "paths": paths,
        "components": {"schemas": {"Error": ERROR_SCHEMA},
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }
