"""Generated junk into every field of the pages people type numbers and text into, and into every
API write operation of the OpenAPI document: the answer may refuse, but is never a server error.

The fields are read from each page's own HTML and the operations from /api/v1/openapi.json, so a
new field or operation is fuzzed without anyone remembering to add it."""
from __future__ import annotations

import html
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants import services
from portal.models import Role
from tests.api.applicant_world import me  # noqa: F401
from tests.api.conftest import bearer
from tests.conftest import login

ODD_NUMBERS = ["NaN", "-Infinity", "Infinity", "1e999999", "-1e-999999", "1E5", "٣", "３", "²", "٠٫٥", "0x1F",
               "9" * 40, "99999999999999999999", "-0", "1,2,3", "1 234,567", "  ", "1_000", "\u00a01\u00a0"]
_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)  # controls, combining marks, RTL
JUNK = st.one_of(
    st.sampled_from(ODD_NUMBERS), st.just(""), _text,
    st.text(st.characters(whitelist_categories=["Nd", "No"]), min_size=1, max_size=6),  # any script's digits
    st.text(st.characters(whitelist_categories=["Cc"]), min_size=1, max_size=5),
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.sampled_from(["x" * 20_000, "9" * 5_000, "\n" * 1000]))

_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*?\bname="([^"]+)"', re.S)
_TYPE_FILE = re.compile(r'<input\b[^>]*\btype="file"[^>]*\bname="([^"]+)"|<input\b[^>]*\bname="([^"]+)"[^>]*\btype="file"')


_INPUT = re.compile(r'<input\b([^>]*)>', re.S)
_SELECT = re.compile(r'<select\b[^>]*?\bname="([^"]+)"[^>]*>(.*?)</select>', re.S)
_TEXTAREA = re.compile(r'<textarea\b[^>]*?\bname="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
_OPTION = re.compile(r'<option\b([^>]*)\bvalue="([^"]*)"', re.S)


def form_fields(page: str) -> dict[str, str]:
    """Every named field of the page's forms with the value the page shows (a select's chosen or
    first non-empty option), except files (sent as text they are just missing)."""
    files = {a or b for a, b in _TYPE_FILE.findall(page)}
    values = {name: "" for name in _NAME.findall(page)}
    for attributes in _INPUT.findall(page):
        name, value = re.search(r'\bname="([^"]+)"', attributes), re.search(r'\bvalue="([^"]*)"', attributes)
        if name and value and (not re.search(r'type="(checkbox|radio)"', attributes) or "checked" in attributes
                               or not values.get(name.group(1))):
            values[name.group(1)] = html.unescape(value.group(1))
    for name, options in _SELECT.findall(page):
        found = _OPTION.findall(options)
        chosen = [v for attrs, v in found if "selected" in attrs] or [v for _attrs, v in found if v]
        values[name] = html.unescape(chosen[0]) if chosen else ""
    for name, text in _TEXTAREA.findall(page):
        values[name] = html.unescape(text.strip())
    return {name: value for name, value in sorted(values.items()) if name not in files and name != "csrf_token"}


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT_PER_TOKEN": 100_000, "API_RATE_LIMIT_PER_ADDRESS": 100_000,
            "LOGIN_RATE_LIMIT": "100000/minute"}


@pytest.fixture
def pages(app, session, now, factory, me, world):  # noqa: F811
    """(client, url) of each page, its client logged in as the user who may post it; the ids and
    tokens for the API."""
    draft = me.filled()
    grant_world = me.grant()
    officer = factory.user(role=Role.OFFICER, committee=me.committee)
    decider = factory.user(role=Role.DECISION_MAKER, committee=me.committee)
    other, _headers, other_organisation = me.other_applicant()
    submitted = me.grants.filled_application(me.programme, other_organisation, other)
    services.submit_application(session, submitted, by=other, now=now)
    review = services.assign_reviewer(session, submitted, reviewer=officer, by=officer, now=now)
    session.commit()
    me.grants.complete_plan(submitted, officer)
    session.commit()

    def client_of(user=None):
        client = app.test_client()
        if user is not None:
            assert login(client, user.email).status_code == 302
        return client

    tokens = [me.token, world.token_for(officer), world.token_for(decider)]
    applicant, officer, decider = client_of(me.user), client_of(officer), client_of(decider)
    application_id = submitted.id
    milestone = grant_world.plan.milestones[0]
    urls = [(applicant, f"/my/applications/{draft.id}/step/{step}") for step in range(1, 6)]
    urls += [(applicant, f"/monitoring/grants/{grant_world.grant.id}/milestones/{milestone.id}/report"),
             (officer, f"/staff/reviews/{review.id}"),  # first the conflict question, then the scores
             (officer, f"/staff/applications/{application_id}/plan"),
             (officer, "/staff/programmes/new"),
             (decider, f"/staff/applications/{application_id}/decide"),
             (client_of(), "/account/register")]
    found = []
    for client, url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        fields = form_fields(page.get_data(as_text=True))
        assert fields, url
        found.append((client, url, fields))
    # the review's score fields appear once the conflict is declared: declare it, and read them too
    officer.post(f"/staff/reviews/{review.id}", data={"conflict-has_conflict": "no"})
    found.append((officer, f"/staff/reviews/{review.id}",
                  form_fields(officer.get(f"/staff/reviews/{review.id}").get_data(as_text=True))))
    return {"pages": found, "ids": {"application_id": application_id, "grant_id": grant_world.grant.id,
                                    "milestone_id": milestone.id, "organisation_id": me.organisation.id,
                                    "review_id": review.id},
            "tokens": tokens}


def test_an_odd_number_in_any_one_field_of_the_pages_is_never_a_server_error(pages):
    # The other fields keep the page's own values, so the field's own check is the one reached.
    for client, url, fields in pages["pages"]:
        for index, name in enumerate(fields):
            for odd in (ODD_NUMBERS[index % len(ODD_NUMBERS)], ODD_NUMBERS[(index + 7) % len(ODD_NUMBERS)]):
                response = client.post(url, data={**fields, name: odd})
                assert response.status_code < 500, (url, name, odd)


def test_junk_in_every_field_of_the_pages_is_never_a_server_error(pages):
    # Each field keeps the page's value, gets junk, or is left out.
    @given(st.data())
    @settings(max_examples=80, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def post_junk(data):
        client, url, fields = data.draw(st.sampled_from(pages["pages"]))
        form = data.draw(st.fixed_dictionaries({}, optional={name: st.one_of(st.just(value), st.just(value), JUNK)
                                                             for name, value in fields.items()}))
        response = client.post(url, data=form)
        assert response.status_code < 500, (url, form)

    post_junk()


JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**80, max_value=2**80),
                      st.floats(allow_nan=False, allow_infinity=False), JUNK)
JSON = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                    max_leaves=8)
RAW = [b"[" * 50_000 + b"]" * 50_000, b'{"a": NaN}', b'{"a": Infinity}', b"[1e999]",
       b'{"amount": 1' + b"0" * 5000 + b"}", b"\xff\xfe", b"", b'{"a": "\\ud800"}']
RAW_BODIES = st.sampled_from(RAW)


def _write_operations(client) -> list[tuple[str, str]]:
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [(method.upper(), path) for path, item in document["paths"].items()
                  for method in item if method in ("post", "put", "patch", "delete")]
    assert len(operations) >= 10
    return operations


def _url_of(path: str, ids: dict) -> str:
    return "/api/v1" + re.sub(r"{(\w+)}", lambda m: str(ids.get(m.group(1), 1)), path)


def test_hostile_raw_bodies_on_every_api_write_operation_are_refused(app, pages):
    client = app.test_client()
    for method, path in _write_operations(client):
        for body in RAW:
            response = client.open(_url_of(path, pages["ids"]), method=method, data=body,
                                   headers={**bearer(pages["tokens"][1]), "Content-Type": "application/json"})
            assert response.status_code < 500, (method, path, body[:100])


def test_junk_bodies_on_every_api_write_operation_are_never_a_server_error(app, pages):
    client = app.test_client()
    operations = _write_operations(client)
    ids = pages["ids"]

    def url_of(path: str) -> str:
        return _url_of(path, ids)

    @given(operation=st.sampled_from(operations), token=st.sampled_from(pages["tokens"]),
           body=st.one_of(JSON.map(lambda value: json.dumps(value).encode()), RAW_BODIES),
           object_body=st.dictionaries(st.sampled_from(["amount", "target", "version", "id", "score", "scores",
                                                        "requested_amount", "indicators", "title"]),
                                       JSON, max_size=4))
    @settings(max_examples=80, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def send_junk(operation, token, body, object_body):
        method, path = operation
        for payload in (body, json.dumps(object_body).encode()):
            response = client.open(url_of(path), method=method, data=payload,
                                   headers={**bearer(token), "Content-Type": "application/json"})
            assert response.status_code < 500, (method, path, payload[:300], response.get_data(as_text=True)[:300])

    send_junk()
