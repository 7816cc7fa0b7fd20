"""The authorisation matrix (issue 14, point 2): every route of the app, pages and API, read from
`app.url_map` itself, is requested with every method by every kind of user (the owning committee's
officer and decision maker, another committee's, a coordinator, an admin, a representative of the
owning organisation, one of another organisation, nobody), and the answer is held to `EXPECTED`.

A route that is not in `EXPECTED` fails `test_every_route_has_an_expectation`: a new route is
covered because it cannot be added without saying who may use it.

Allowed users must not be refused (401, 403, 404): for a write with an empty body a refusal of the
input (400, 409, 422) or a redirect with a message is fine. Refused users get 403 or 404 (a page
sends the anonymous to the login page; the API answers 401). Writes by allowed users are made in a
transaction that is rolled back, so one world serves the whole module.
"""
from __future__ import annotations

import contextlib
import io
import json
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from eligibility import services as eligibility_services
from grants import payments
from grants.services.decisions import TrancheInput
from grants.models import PaymentStop
from monitoring.insight import tables as insight_tables
from monitoring.insight.annual import generate_annual_report
from organisations import services as organisation_services
from organisations.models import Document, Representative
from portal import create_app, outbox
from portal.api.core import REGISTRY
from portal.api.tokens import create_token
from portal.extensions import db
from portal.models import Role, RoleGrant
from tests.conftest import _base_config, app_on_fresh_database, login
from tests.factories import Factory, small_pdf

# ------------------------------------------------------------------ who

ANONYMOUS = "anonymous"
USERS = (ANONYMOUS, "applicant_own", "applicant_other", "officer_own", "decider_own", "officer_other",
         "decider_other", "coordinator", "admin")

PUBLIC = frozenset(USERS)
ANY_USER = PUBLIC - {ANONYMOUS}
OWN_ORG = frozenset({"applicant_own"})  # a representative of the organisation the object belongs to
APPLICANTS = frozenset({"applicant_own", "applicant_other"})  # anyone with the applicant role
COMMITTEE_OFFICER = frozenset({"officer_own"})  # an officer of the object's committee
COMMITTEE_DECISION_MAKER = frozenset({"decider_own"})
COMMITTEE_STAFF = COMMITTEE_OFFICER | COMMITTEE_DECISION_MAKER
ANY_OFFICER = frozenset({"officer_own", "officer_other"})  # an officer of any committee
ANY_STAFF = frozenset({"officer_own", "decider_own", "officer_other", "decider_other"})
COORDINATOR = frozenset({"coordinator"})
ADMIN = frozenset({"admin"})
NOBODY = frozenset()


@dataclass(frozen=True)
class Rule:
    """Who may use a route, per method (one set for every method unless `by_method`); `params`
    names world objects for URL parameters where the default one does not fit; `secret_in_url`:
    the URL's token is the permission, so an unknown token may answer 404 to anyone; `redirected`:
    users who are sent on to another page they may see."""

    who: frozenset = NOBODY
    by_method: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    secret_in_url: bool = False
    redirected: frozenset = NOBODY  # sent on to a page they may see (not to the login page)

    def allowed(self, method: str) -> frozenset:
        return self.by_method.get(method, self.who)


def R(who=NOBODY, **kwargs) -> Rule:
    return Rule(who=frozenset(who), **kwargs)


def M(params=None, **by_method) -> Rule:
    return Rule(by_method={m: frozenset(w) for m, w in by_method.items()}, params=params or {})


EXPECTED: dict[str, Rule] = {
    # ---- shell: welcome, accounts, language, static
    "main.home": R(PUBLIC),
    "main.healthz": R(PUBLIC),
    "main.set_language": R(PUBLIC),
    "static": R(PUBLIC),
    "auth.login": R(PUBLIC),
    "auth.logout": R(ANY_USER),
    "auth.change_password": R(ANY_USER),
    "auth.request_reset": R(PUBLIC),
    "auth.reset_password": R(PUBLIC, secret_in_url=True),
    "organisations.signup": R(PUBLIC),
    "organisations.confirm": R(PUBLIC, secret_in_url=True),
    "organisations.resend_confirmation": R(ANY_USER),
    "organisations.invitation": R(PUBLIC, secret_in_url=True),
    "api_pages.docs": R(PUBLIC),
    "api_pages.tokens": R(ANY_USER),
    "api_pages.revoke": R({"applicant_own"}),  # the token's owner
    # ---- administration
    "admin.audit_log": R(ADMIN),
    "admin.committees": R(ADMIN),
    "admin.committee_edit": R(ADMIN),
    "admin.committee_new": R(ADMIN),
    "admin.outbox": R(ADMIN),
    "admin.outbox_message": R(ADMIN),
    "admin.users": R(ADMIN),
    "admin.user_edit": R(ADMIN),
    "admin.role_add": R(ADMIN),
    "admin.role_revoke": R(ADMIN, params={"grant_id": "role_grant"}),
    "admin.user_new": R(ADMIN),
    "organisations.declaration_texts": R(ADMIN),
    "eligibility.rule_sets": R(ADMIN),
    "eligibility.rule_set_new": R(ADMIN),
    "monitoring.job_runs": R(ADMIN),
    # ---- organisations
    "organisations.mine": R(ANY_USER),  # one's own organisations: an empty list for staff
    "organisations.register": R(ANY_USER),  # whoever registers becomes its representative
    "organisations.register_list": R(ANY_STAFF | COORDINATOR),
    "organisations.show": R(OWN_ORG | ANY_STAFF | COORDINATOR),
    "organisations.declaration": M(GET=OWN_ORG | ANY_STAFF | COORDINATOR, POST=OWN_ORG),
    "organisations.upload": R(OWN_ORG),
    "organisations.download": R(OWN_ORG | ANY_STAFF | COORDINATOR),
    "organisations.edit": R(OWN_ORG),
    "organisations.answer_join_request": R(OWN_ORG),
    "organisations.remove_representative": R(OWN_ORG),
    "organisations.invite": R(OWN_ORG),
    # ---- eligibility
    "eligibility.organisation": R(ANY_STAFF | COORDINATOR),
    "eligibility.screen_organisation": R(ANY_OFFICER | COORDINATOR),
    "eligibility.screen_application": R(COMMITTEE_STAFF | COORDINATOR),
    "eligibility.screening": R(COMMITTEE_STAFF | COORDINATOR),
    "eligibility.resolve": R(COMMITTEE_STAFF | COORDINATOR),
    "eligibility.finding_new": R(ANY_STAFF | COORDINATOR),
    "eligibility.findings": R(COORDINATOR),
    "eligibility.finding": R(COORDINATOR),  # the details; the reporting committee sees the status elsewhere
    "eligibility.finding_attach": R(COORDINATOR),
    "eligibility.finding_attachment": R(COORDINATOR),
    "eligibility.cases": R(COORDINATOR),
    "eligibility.case": R(COORDINATOR),
    "eligibility.notice": M(GET=OWN_ORG | COORDINATOR, POST=OWN_ORG),
    "eligibility.reinstate": R(COORDINATOR),
    # ---- grants: programmes, applications, decisions, payments
    "grants.open_programmes": R(PUBLIC),
    "grants.programme_public": R(PUBLIC),
    "grants.apply": R(APPLICANTS),
    "grants.my_applications": R(ANY_USER),  # one's own: an empty list for staff
    "grants.my_application": R(OWN_ORG),
    "grants.application_step": R(OWN_ORG, params={"application_id": "draft"}),
    "grants.application_submit": R(OWN_ORG, params={"application_id": "draft"}),
    "grants.application_withdraw": R(OWN_ORG),
    "grants.my_grants": R(ANY_USER),
    "grants.decision_letter": R(OWN_ORG | COMMITTEE_STAFF | COORDINATOR, params={"application_id": "decided"}),
    "grants.programmes": R(ANY_STAFF),
    "grants.programme_new": R(ANY_OFFICER),
    "grants.programme_edit": M(GET=COMMITTEE_STAFF, POST=COMMITTEE_OFFICER),
    "grants.programme_publish": R(COMMITTEE_OFFICER),
    "grants.applications": R(ANY_STAFF | COORDINATOR),
    "grants.application_detail": R(COMMITTEE_STAFF | COORDINATOR),
    "grants.application_assign": R(COMMITTEE_OFFICER),
    "grants.application_return": R(COMMITTEE_OFFICER),
    "grants.application_screen": R(COMMITTEE_STAFF | COORDINATOR),
    "grants.review_myself": R(COMMITTEE_OFFICER),
    "grants.review": M(GET=COMMITTEE_STAFF | COORDINATOR, POST=COMMITTEE_OFFICER),  # POST: the reviewer
    "grants.plan": M(GET=COMMITTEE_STAFF | COORDINATOR, POST=COMMITTEE_OFFICER),
    "grants.decide": R(COMMITTEE_DECISION_MAKER),
    "grants.grants": R(ANY_STAFF | COORDINATOR),
    "grants.grant_detail": R(OWN_ORG | COMMITTEE_STAFF | COORDINATOR),
    "grants.claim_new": R(COMMITTEE_OFFICER),
    "grants.payment_stop_letter": R(OWN_ORG | COMMITTEE_STAFF | COORDINATOR),
    "grants.claim_confirm": R(COMMITTEE_OFFICER),
    "grants.claim_paid": R(COMMITTEE_OFFICER),
    "grants.claim_waive": R(COMMITTEE_OFFICER),
    "grants.tranche_release": R(COMMITTEE_OFFICER),
    "grants.tranche_paid": R(COMMITTEE_OFFICER),
    "grants.tranche_cancel": R(COMMITTEE_OFFICER),
    # ---- follow-up
    "monitoring.deadlines": R(ANY_USER),
    "monitoring.report_edit": R(OWN_ORG, redirected=COMMITTEE_STAFF | COORDINATOR),  # to the report
    "monitoring.reports": R(ANY_STAFF | COORDINATOR),
    "monitoring.report_view": R(OWN_ORG | COMMITTEE_STAFF | COORDINATOR),
    "monitoring.report_approve": R(COMMITTEE_OFFICER),
    "monitoring.report_return": R(COMMITTEE_OFFICER),
    "monitoring.report_attach": R(OWN_ORG),
    "monitoring.evaluations": R(ANY_STAFF | COORDINATOR),
    "monitoring.evaluation": M(GET=COMMITTEE_STAFF | COORDINATOR, POST=COMMITTEE_OFFICER),
    "monitoring.evaluation_pdf": R(COMMITTEE_STAFF | COORDINATOR),
    "monitoring.experiences": R(ANY_STAFF | COORDINATOR),
    "monitoring.experience": R(ANY_STAFF | COORDINATOR),
    "monitoring.experience_edit": R(COORDINATOR),
    "monitoring.experience_publication": R(COORDINATOR),
    "insight.dashboard": R(COORDINATOR),
    "insight.partnerships": R(COORDINATOR),
    "insight.table_csv": R(COORDINATOR),
    "insight.annual_reports": R(COORDINATOR),
    "insight.annual_report_pdf": R(COORDINATOR),
    "open_data.index": R(PUBLIC),
    "open_data.grants_csv": R(PUBLIC),
    "open_data.grants_json": R(PUBLIC),
    # ---- the API
    "api.openapi_json": R(PUBLIC),
    "api.open_data_grants": R(PUBLIC),
    "api.open_data_grants_csv": R(PUBLIC),
    "api.committees": R(ANY_USER),
    "api.me": R(ANY_USER),
    "api.list_programmes": R(PUBLIC),
    "api.get_programme": R(PUBLIC),
    "api.list_organisations": R(ANY_USER),  # applicants: their own
    "api.get_organisation": R(OWN_ORG | ANY_STAFF | COORDINATOR),
    "api.register_organisation": R(APPLICANTS),
    "api.get_declaration": R(OWN_ORG | ANY_STAFF | COORDINATOR),
    "api.sign_declaration": R(OWN_ORG),
    "api.applicant_create_application": R(OWN_ORG),  # for the organisation in the body
    "api.applicant_update_application": R(OWN_ORG, params={"application_id": "draft"}),
    "api.applicant_submit_application": R(OWN_ORG, params={"application_id": "draft"}),
    "api.applicant_withdraw_application": R(OWN_ORG),
    "api.my_applications": R(ANY_USER),
    "api.my_application": R(OWN_ORG),
    "api.my_grants": R(ANY_USER),
    "api.my_grant": R(OWN_ORG),
    "api.my_deadlines": R(ANY_USER),
    "api.submit_grantee_report": R(OWN_ORG),
    "api.staff_applications": R(ANY_STAFF | COORDINATOR),
    "api.staff_application": R(COMMITTEE_STAFF | COORDINATOR),
    "api.staff_application_decision": R(COMMITTEE_STAFF | COORDINATOR, params={"application_id": "decided"}),
    "api.staff_decide": R(COMMITTEE_DECISION_MAKER),
    "api.staff_application_plan": R(COMMITTEE_STAFF | COORDINATOR, params={"application_id": "decided"}),
    "api.staff_save_plan": R(COMMITTEE_OFFICER),
    "api.staff_application_screenings": R(COMMITTEE_STAFF | COORDINATOR),
    "api.staff_screen_application": R(COMMITTEE_STAFF | COORDINATOR),
    "api.staff_resolve_screening_result": R(COMMITTEE_STAFF | COORDINATOR),
    "api.staff_grants": R(ANY_STAFF | COORDINATOR),
    "api.staff_grant": R(COMMITTEE_STAFF | COORDINATOR),
    "api.staff_reports": R(ANY_STAFF | COORDINATOR),
    "api.staff_report": R(COMMITTEE_STAFF | COORDINATOR),
    "api.staff_approve_report": R(COMMITTEE_OFFICER),
    "api.staff_return_report": R(COMMITTEE_OFFICER),
    "api.tranches_awaiting_payment": R(ANY_OFFICER),
    "api.tranche_paid": R(COMMITTEE_OFFICER),
    "api.list_findings": R(ANY_STAFF | COORDINATOR),  # staff: those their committee reported
    "api.get_finding": R(COORDINATOR | COMMITTEE_STAFF),  # the reporting committee sees the status
    "api.list_cases": R(COORDINATOR),
    "api.get_case": R(COORDINATOR),
    "api.list_experiences": R(ANY_STAFF | COORDINATOR),
    "api.get_experience": R(ANY_STAFF | COORDINATOR),
    "api.dashboard": R(COORDINATOR),
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}
REFUSED = {401, 403, 404}


# ------------------------------------------------------------------ the world

@dataclass
class World:
    users: dict
    params: dict  # URL parameter name -> value, and named objects for Rule.params
    cookies: dict  # user -> session cookie value
    tokens: dict  # user -> API token


def _build(session, now) -> tuple[dict, dict]:
    f = Factory(session, now)
    own, other = f.committee("Ägande nämnd"), f.committee("Annan nämnd")
    users = {
        "applicant_own": f.applicant(), "applicant_other": f.applicant(),
        "officer_own": f.officer(own), "decider_own": f.decision_maker(own),
        "officer_other": f.officer(other), "decider_other": f.decision_maker(other),
        "coordinator": f.coordinator(), "admin": f.user(role=Role.ADMIN),
    }
    officer, decider = users["officer_own"], users["decider_own"]
    f.rule_set()
    org = f.organisation("Egen förening", representative=users["applicant_own"])
    f.organisation("Annan förening", representative=users["applicant_other"])
    # Two tranches: the first is paid; the second is stopped when the finding below is confirmed.
    grant = f.grant(committee=own, organisation=org, representative=users["applicant_own"], officer=officer,
                    decider=decider, tranches=[TrancheInput(due_on=now.date(), amount=20_000_00),
                                               TrancheInput(due_on=date(now.year, 12, 1), amount=20_000_00)])
    f.pay(grant.tranches[0], by=officer)
    claim = payments.raise_repayment_claim(session, grant, amount=1_000_00, reason="Felaktigt utbetalt.",
                                           due_on=None, by=officer, now=now)
    report = f.report(grant)
    evaluation = f.force_evaluation(grant, rating=None, share=None, status="due")
    experience = f.force_experience(own, "Läxhjälp")
    programme = f.programme(own, opens_on=now.date(), closes_on=date(now.year, 12, 31))
    submitted = f.application(programme, org, users["applicant_own"], submit=True)
    review = f.review(submitted, officer)
    screening = f.eligible_screening(submitted, officer)
    draft = f.application(programme, org, users["applicant_own"], steps=0)
    finding = f.finding(org, by=officer, committee=own)
    eligibility_services.add_finding_attachment(
        session, finding, eligibility_services.EvidenceUpload(io.BytesIO(small_pdf()), "bevis.pdf"),
        by=users["coordinator"], now=now, upload_dir=current_app.config["UPLOAD_DIR"], max_bytes=10 * 1024 * 1024)
    case = eligibility_services.assess_finding(session, finding, confirm=True, reason="Styrkt.",
                                               by=users["coordinator"], now=now)
    session.flush()
    join = organisation_services.request_to_join(session, by=users["applicant_other"], organisation=org, now=now,
                                                 base_url="http://localhost")
    message = outbox.queue(session, to="someone@example.org", subject="Hej", body="Text", now=now)
    generate_annual_report(session, now.year - 1, by=users["coordinator"], now=now)
    token_row, _raw = create_token(session, users["applicant_own"], name="skript", days=None,
                                   by=users["applicant_own"], now=now)
    session.commit()
    params = {
        "organisation_id": org.id, "application_id": submitted.id, "grant_id": grant.id,
        "programme_id": programme.id, "screening_id": screening.id, "result_id": screening.results[0].id,
        "finding_id": finding.id, "attachment_id": finding.attachments[0].id, "case_id": case.id,
        "report_id": report.id, "milestone_id": report.milestone_id, "evaluation_id": evaluation.id,
        "experience_id": experience.id, "tranche_id": grant.tranches[0].id, "claim_id": claim.id,
        # the stop-payment decision that confirming the finding made
        "stop_id": session.scalar(select(PaymentStop.id).where(PaymentStop.grant_id == grant.id)),
        "review_id": review.id, "committee_id": own.id, "user_id": users["officer_other"].id,
        "message_id": message.id, "token_id": token_row.id, "join_id": join.id, "answer": "approve",
        "document_id": session.scalar(select(Document.id).where(Document.organisation_id == org.id)),
        "representative_id": session.scalar(select(Representative.id).where(
            Representative.organisation_id == org.id, Representative.user_id == users["applicant_own"].id)),
        "step": 1, "year": now.year - 1, "name": insight_tables.TABLE_NAMES[0], "code": "sv",
        "filename": "css/app.css", "token": "no-such-token",
        # named objects for Rule.params
        "draft": draft.id, "decided": grant.application_id,
        "role_grant": session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == users["officer_other"].id)),
    }
    return users, params


@pytest.fixture(scope="module")
def matrix_app(migrated_database, tmp_path_factory):
    yield from app_on_fresh_database(migrated_database, tmp_path_factory.mktemp("matrix"),
                                     {"API_RATE_LIMIT_PER_TOKEN": 1_000_000, "API_RATE_LIMIT_PER_ADDRESS": 1_000_000})


@pytest.fixture(scope="module")
def world(matrix_app) -> World:
    now = matrix_app.config["FIXED_NOW"]
    users, params = _build(db.session, now)
    tokens = {name: create_token(db.session, user, name="matris", days=None, by=user, now=now)[1]
              for name, user in users.items()}
    emails = {name: user.email for name, user in users.items()}
    db.session.commit()
    db.session.close()  # no open read on SQLite while the requests write
    cookie_name = matrix_app.config["SESSION_COOKIE_NAME"]
    cookies = {}
    for name, email in emails.items():
        client = matrix_app.test_client()
        assert login(client, email).status_code == 302, f"{name} could not log in"
        cookies[name] = client.get_cookie(cookie_name).value
    return World(users=users, params=params, cookies=cookies, tokens=tokens)


# ------------------------------------------------------------------ the requests

def _routes(app) -> list[tuple[str, str, str]]:
    return sorted((rule.endpoint, rule.rule, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - IGNORED_METHODS)


def _app_routes():
    """The routes of a freshly made app, for parametrisation (collection comes before fixtures)."""
    app = create_app(_base_config(Path(tempfile.mkdtemp(prefix="matrix-routes-")), "sqlite://"))
    return _routes(app)


ROUTES = _app_routes()


@contextlib.contextmanager
def rolled_back():
    """Commits inside the request become flushes; the request's session is rolled back at its end,
    so a permitted write leaves the world as it was."""
    commit = OrmSession.commit
    OrmSession.commit = OrmSession.flush
    try:
        yield
    finally:
        OrmSession.commit = commit


def _example_body(endpoint: str, method: str, params: dict):
    """The operation's documented example body, its ids (`organisation_id`, ...) naming the world's
    objects: valid, so a refusal comes from the permission and not from the schema (which is
    checked before the object is read)."""
    spec = next(s for s in REGISTRY if f"api.{s.operation_id}" == endpoint and s.method == method)
    body = json.loads(spec.example) if spec.example.strip().startswith("{") else {}
    return {key: params.get(key, value) if key.endswith("_id") else value for key, value in body.items()}


def _url(app, endpoint: str, rule: Rule, params: dict) -> str:
    werkzeug_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {}
    for argument in werkzeug_rule.arguments:
        source = rule.params.get(argument, argument)
        values[argument] = params[source]
    with app.test_request_context():
        return url_for(endpoint, **values)


def _request(app, world: World, user: str, endpoint: str, method: str, url: str):
    client = app.test_client()
    headers = {}
    if url.startswith("/api/v1/"):
        if user != ANONYMOUS:
            headers["Authorization"] = f"Bearer {world.tokens[user]}"
    elif user != ANONYMOUS:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], world.cookies[user])
    kwargs = {"headers": headers}
    if method in ("POST", "PUT", "PATCH"):
        kwargs.update(json=_example_body(endpoint, method, world.params)) if url.startswith("/api/v1/") else kwargs.update(data={})
    with rolled_back():
        return client.open(url, method=method, **kwargs)


def test_every_route_has_an_expectation(matrix_app):
    missing = sorted({endpoint for endpoint, _rule, _method in _routes(matrix_app)} - set(EXPECTED))
    assert not missing, f"routes without an entry in EXPECTED (say who may use them): {missing}"
    stale = sorted(set(EXPECTED) - {endpoint for endpoint, _rule, _method in _routes(matrix_app)})
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"


@pytest.mark.parametrize(("endpoint", "path", "method"), ROUTES, ids=[f"{m} {p}" for _e, p, m in ROUTES])
def test_route_answers_each_user_as_the_table_says(matrix_app, world, endpoint, path, method):
    rule = EXPECTED.get(endpoint)
    if rule is None:
        pytest.fail(f"{endpoint} is not in EXPECTED")
    url = _url(matrix_app, endpoint, rule, world.params)
    allowed = rule.allowed(method)
    wrong = []
    for user in USERS:
        response = _request(matrix_app, world, user, endpoint, method, url)
        status = response.status_code
        if status >= 500:
            wrong.append(f"{user}: {status}")
        elif user in rule.redirected:
            if not (300 <= status < 400) or _to_login(response):
                wrong.append(f"{user} is sent on, got {status}")
        elif user in allowed:
            refused = REFUSED - ({404} if rule.secret_in_url else set())
            if status in refused or _to_login(response):
                wrong.append(f"{user} may, got {status}")
        elif not (status in REFUSED or (user == ANONYMOUS and _to_login(response))):
            wrong.append(f"{user} may not, got {status}")
    assert not wrong, f"{method} {url}: " + "; ".join(wrong)


def _to_login(response) -> bool:
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", "")
