"""Conventions shared by every API endpoint, and the registry the OpenAPI document is made from.

A package declares an endpoint in its own `<package>/api.py` with `@endpoint(...)`: method, path,
summary, tags, who may call it, query parameters, request and response JSON schemas. The same
declaration routes the request, checks the caller's role, parses and validates the input, and
produces the OpenAPI document and the /api page, so the documentation cannot drift.

Rules for endpoint functions: keep them thin. Load the object, check access on the object with the
package's permission helpers (the same ones the pages use), call the same service as the page does
(which writes its audit event and outbox mail), and return a dict. The wrapper commits after a
successful write and rolls back on any error, so a write through the API is audited exactly like
the same action in a page and nothing is half-saved.
"""
from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Callable

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from portal import clock
from portal.api_errors import error_response
from portal.concurrency import DATABASE_RACE_ERRORS, race_conflict
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Role
from portal.numbers import MAX_ID

API_PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

PUBLIC = "public"  # no token needed
ANY_USER = "user"  # any authenticated user; object checks decide the rest
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_PER_PAGE = 100
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
NO_NUL = "^[^\\u0000]*$"


class ApiError(Exception):
    """An error to answer with the JSON error object (400, 401, 429 and the like)."""

    def __init__(self, status: int, message: str | None = None, fields: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.fields, self.headers = status, message, fields, headers or {}

    def response(self):
        response, status = error_response(self.status, self.message, self.fields)
        response.headers.update(self.headers)
        return response, status


@dataclass
class Param:
    """A query parameter: name, JSON schema (type integer/string, enum, minimum...) and description."""

    name: str
    schema: dict
    description: str = ""
    required: bool = False

    def __post_init__(self):
        # Free text never holds a NUL character: PostgreSQL cannot compare text with one (a 500),
        # so the documented schema excludes it and a query that sends one is a 400.
        if self.schema.get("type", "string") == "string" and not {"pattern", "enum", "const"} & set(self.schema):
            self.schema = {**self.schema, "pattern": NO_NUL}

    def parse(self, raw: str) -> Any:
        kind = self.schema.get("type", "string")
        value: Any = raw
        if kind == "integer":
            if not re.fullmatch(r"-?[0-9]{1,30}", raw.strip()):  # ASCII digits: int() also reads "٣"
                raise ApiError(400, f"{self.name} must be a whole number", {self.name: "must be a whole number"})
            value = int(raw)
        errors = sorted(Draft202012Validator(self.schema).iter_errors(value), key=str)
        if errors:
            raise ApiError(400, f"{self.name}: {errors[0].message}", {self.name: errors[0].message})
        return value


PAGE_PARAMS = [
    Param("page", {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}, "Page number, from 1."),
    Param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 25},
          f"Items per page, at most {MAX_PER_PAGE}."),
]


@dataclass
class Endpoint:
    method: str
    path: str  # OpenAPI style: /organisations/{organisation_id}
    summary: str
    tags: list[str]
    auth: str | tuple[Role, ...]  # PUBLIC, ANY_USER, or roles of which the caller needs one
    response: dict
    description: str = ""
    params: list[Param] = field(default_factory=list)
    body: dict | None = None
    paginated: bool = False
    status: int = 200
    example: str = ""  # an example query string or JSON body for the docs page
    # The media type of a successful answer. Anything but JSON (e.g. "text/csv"): the function
    # returns a flask Response itself, which is sent as it is.
    produces: str = "application/json"
    extra_statuses: tuple[int, ...] = ()  # e.g. 404 for an id in the body that names nothing you may see
    func: Callable | None = None

    @property
    def operation_id(self) -> str:
        return self.func.__name__ if self.func else ""

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def all_params(self) -> list[Param]:
        return self.params + (PAGE_PARAMS if self.paginated else [])

    def statuses(self) -> list[int]:
        codes = {self.status, 429, *self.extra_statuses}
        codes.add(400)  # a query parameter the document does not declare is refused
        if self.auth != PUBLIC:
            codes |= {401, 403}
        if self.path_params:
            codes.add(404)
        if self.body is not None or self.method in WRITE_METHODS:
            codes |= {409, 422}  # any write may be stale or refused by a rule
        return sorted(codes)


REGISTRY: list[Endpoint] = []


def endpoint(method: str, path: str, *, summary: str, tags: list[str], auth, response: dict, **options):
    """Declare an API endpoint. The function gets path parameters as keyword arguments, plus
    `query` (parsed parameters) and `body` (validated JSON) when declared; it returns a dict."""

    def decorator(func: Callable) -> Callable:
        spec = Endpoint(method=method.upper(), path=path, summary=summary, tags=tags, auth=auth,
                        response=response, func=func, **options)
        if any(e.method == spec.method and e.path == spec.path for e in REGISTRY):
            raise ValueError(f"API endpoint declared twice: {spec.method} {spec.path}")
        rule = re.sub(r"{(\w+)}", r"<int:\1>", path)  # path parameters are ids

        @wraps(func)
        def view(**path_args):
            return _handle(spec, path_args)

        bp.add_url_rule(rule, endpoint=func.__name__, view_func=view, methods=[spec.method])
        REGISTRY.append(spec)
        return func

    return decorator


def _handle(spec: Endpoint, path_args: dict):
    try:
        authorise(spec)
        if any(not 1 <= value <= MAX_ID for value in path_args.values()):
            raise ApiError(404)
        kwargs = dict(path_args)
        _refuse_undeclared_params(spec)
        if spec.all_params:
            kwargs["query"] = {p.name: p.parse(request.args[p.name]) if p.name in request.args
                               else p.schema.get("default") for p in spec.all_params}
            missing = [p.name for p in spec.all_params if p.required and p.name not in request.args]
            if missing:
                raise ApiError(400, "Missing parameter: " + ", ".join(missing), {m: "required" for m in missing})
        if spec.body is not None:
            kwargs["body"] = _validated_body(spec.body)
        result = spec.func(**kwargs)
        if spec.method in WRITE_METHODS:
            db.session.commit()
        if isinstance(result, Response):
            return result
    except ApiError as error:
        db.session.rollback()
        return error.response()
    except DomainError as error:
        db.session.rollback()
        return _domain_error_response(error)
    except DATABASE_RACE_ERRORS as error:  # a concurrent change won: 409, not 500
        db.session.rollback()
        if (conflict := race_conflict(error)) is None:
            raise
        return _domain_error_response(conflict)
    return jsonify(result), spec.status


def _refuse_undeclared_params(spec: Endpoint) -> None:
    """The query holds only the declared parameters, each once: a misspelt `per_pge` or a second
    `page` is a 400, not silently the default (the OpenAPI document allows nothing else)."""
    declared = {p.name for p in spec.all_params}
    unknown = sorted(set(request.args) - declared)
    if unknown:
        raise ApiError(400, "Unknown parameter: " + ", ".join(unknown), {name: "not allowed" for name in unknown})
    repeated = sorted(name for name in request.args if len(request.args.getlist(name)) > 1)
    if repeated:
        raise ApiError(400, "Give each parameter once: " + ", ".join(repeated),
                       {name: "given more than once" for name in repeated})


def _domain_error_response(error: DomainError):
    return error_response(error.status, error.message, {error.field: error.message} if error.field else None,
                          code=error.code)


def _validated_body(schema: dict) -> Any:
    if not request.is_json:
        raise ApiError(400, "Send a JSON body with Content-Type: application/json")
    data = parse_json_body(request.get_data(cache=True))
    # Formats ("date", "email"...) are checked too: a body that breaks its declared schema is a 400.
    errors = list(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
                  .iter_errors(data))
    if errors:
        fields = {".".join(str(p) for p in e.absolute_path) or "body": e.message for e in errors}
        raise ApiError(400, "The body does not match the schema", fields)
    data = _whole_numbers(data)
    bad = _unstorable_text(data)
    if bad is not None:
        # Well-formed JSON that the schema allows, but no database stores: refused like a rule (422).
        raise ApiError(422, "Text may not contain NUL characters or unpaired surrogates",
                       {bad or "body": "contains a NUL character or an unpaired surrogate"})
    return data


MAX_JSON_DEPTH = 32
# What matters for nesting: an escape pair (skipped, so \" does not end a string), a quote, a bracket.
_JSON_TOKEN = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)


def parse_json_body(raw: bytes) -> Any:
    """The body as JSON, refusing (400) what Python's parser would accept but nothing should:
    nesting deeper than MAX_JSON_DEPTH (the parser recurses: a 100 000-deep array is a
    RecursionError), and NaN, Infinity or a number too large for a float (1e999), which no
    column stores and no JSON answer can show."""
    if _json_depth(raw) > MAX_JSON_DEPTH:
        raise ApiError(400, f"The body is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NonFinite:
        raise ApiError(400, "Numbers in the body must be finite (no NaN, Infinity or 1e999)") from None
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ApiError(400, "The body is not valid JSON") from None


def _json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects outside strings, in one pass without backtracking
    (stops counting once past the limit)."""
    depth = deepest = 0
    in_string = False
    for match in _JSON_TOKEN.finditer(raw):
        token = match.group()
        if token == b'"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue
        elif token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                break
        else:
            depth -= 1
    return deepest


class _NonFinite(ValueError):
    pass


def _refuse_constant(name: str):
    raise _NonFinite(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NonFinite(text)
    return value


def _whole_numbers(data: Any) -> Any:
    """JSON Schema counts 5.0 as an integer; hand the endpoint the int 5 so that integer arithmetic
    and formatting (öre, ids, counts) never meet a float."""
    if isinstance(data, float) and data.is_integer():
        return int(data)
    if isinstance(data, dict):
        return {key: _whole_numbers(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_whole_numbers(value) for value in data]
    return data


def _unstorable_text(data: Any, path: str = "") -> str | None:
    """The path of the first string that no database can store (NUL, unpaired surrogate), or None."""
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return path if "\x00" in data else None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = _unstorable_text(value, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


# --- authentication ---------------------------------------------------------------------------

def api_user():
    """The caller: the token's user, or for reads a logged-in page session; None if anonymous."""
    if getattr(g, "api_token", None) is not None:
        return g.api_token.user
    if current_user.is_authenticated and request.method not in WRITE_METHODS:
        return current_user._get_current_object()
    return None


def before_api_request():
    """Before every API request: count it against the rate limits, then let a Bearer token make
    its user the current user for this request only (no session is written), so every
    permission helper sees that user. Failed token guesses count against the address too."""
    from portal.api.tokens import authenticate

    g.api_token = None
    # Identity comes from this request alone, even where an app context outlives a request (tests).
    g.pop("_login_user", None)
    header = request.headers.get("Authorization", "")
    token = None
    if header:
        scheme, _, raw = header.partition(" ")
        token = authenticate(db.session, raw.strip(), clock.now()) if scheme.lower() == "bearer" else None
    try:
        check_rate_limit(token)
        if header and token is None:
            raise ApiError(401, "The token is unknown, revoked or expired",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    except ApiError as error:
        db.session.rollback()
        return error.response()
    if token is not None:
        if db.session.is_modified(token):
            # last_used_at, written at most once a minute: a commit expires the token and its user,
            # which the request would then load again, so there is none when nothing changed.
            try:
                db.session.commit()
            except DATABASE_RACE_ERRORS as error:
                # The database is busy with another writer: the bookkeeping waits for a later request,
                # and the request goes on (its own write, if any, answers 409 if still locked out).
                db.session.rollback()
                if race_conflict(error) is None:
                    raise
        g.api_token = token
        g._login_user = token.user  # Flask-Login's current_user for this request
    return None


def authorise(spec: Endpoint) -> None:
    if spec.auth == PUBLIC:
        return
    user = api_user()
    if user is None:
        message = ("Writes need an API token (Authorization: Bearer ...), not a page session"
                   if current_user.is_authenticated else "Send an API token: Authorization: Bearer ...")
        raise ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})
    if spec.auth != ANY_USER and not any(user.holds_role_anywhere(role) for role in spec.auth):
        raise ApiError(403, "Your roles do not allow this")


# --- rate limiting ----------------------------------------------------------------------------

class FixedWindowLimiter:
    """Counts requests per key in fixed one-minute windows. Counters live in this process:
    with N worker processes a client may make up to N times the limit."""

    def __init__(self):
        self._lock = threading.Lock()
        self._window: datetime | None = None
        self._counts: dict[str, int] = {}

    def hit(self, keys: list[tuple[str, int]], now: datetime) -> int | None:
        """Count one request for each key; returns seconds to wait if any key is over its limit."""
        window = now.replace(second=0, microsecond=0)
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            over = False
            for key, limit in keys:
                self._counts[key] = self._counts.get(key, 0) + 1
                over = over or self._counts[key] > limit
        if over:
            return max(1, int((window + timedelta(minutes=1) - now).total_seconds()))
        return None


def check_rate_limit(token) -> None:
    limiter: FixedWindowLimiter = current_app.extensions["api_limiter"]
    keys = [("ip:" + (request.remote_addr or "unknown"), current_app.config["API_RATE_LIMIT_PER_ADDRESS"])]
    if token is not None:
        keys.append((f"token:{token.id}", current_app.config["API_RATE_LIMIT_PER_TOKEN"]))
    wait = limiter.hit(keys, clock.now())
    if wait is not None:
        raise ApiError(429, "Too many requests; try again later", headers={"Retry-After": str(wait)})


# --- lists ------------------------------------------------------------------------------------

def paginated(stmt, query: dict, serialise: Callable[[Any], dict]) -> dict:
    """One page of `stmt` (a select of one entity, ordered) as {"items", "page", "per_page", "total"}."""
    page, per_page = query["page"], query["per_page"]
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return {"items": [serialise(row) for row in rows], "page": page, "per_page": per_page, "total": total}


def page_of(item_schema: dict) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total"],
            "properties": {"items": {"type": "array", "items": item_schema},
                           "page": {"type": "integer", "minimum": 1},
                           "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                           "total": {"type": "integer", "minimum": 0}}}


def nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
MONEY = {"type": "integer", "description": "Amount in öre (1/100 krona)."}


def iso(value: datetime | None) -> str | None:
    """A stored timestamp (naive UTC) as RFC 3339, e.g. 2026-03-02T10:00:00Z."""
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def not_found(what: str = "Not found") -> ApiError:
    return ApiError(404, what)


bp.before_request(before_api_request)


def escape_like(text: str) -> str:
    """For LIKE patterns with escape="\\": the user's % and _ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
