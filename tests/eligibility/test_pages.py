"""The pages: who sees what, who may do what, and what the screening page says."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eligibility import services
from eligibility.models import Finding, RuleSet, Screening
from eligibility.screening import RuleSetInUse, screen
from portal.models import AuditEvent, Role

pytestmark = pytest.mark.usefixtures("rule_set")
SECRET = "Vittnet Hemlig Hemligsson såg ordföranden"


def report(client, org, **overrides):
    data = {"conduct_on": "2026-02-01", "category": "violence", "actor_kind": "board_member",
            "actor_name": "Kalle Styrelse", "source_category": "own_observation", "evidence": SECRET}
    data.update(overrides)
    return client.post(f"/eligibility/organisations/{org.id}/findings/new", data=data)


def logout(client):
    client.post("/logout")


# ---------------------------------------------------------------- findings are confidential

def test_officer_reports_a_finding_and_sees_only_its_status(client, session, build, login_as, factory):
    committee = factory.committee()
    org = build.organisation()
    officer = login_as(Role.OFFICER, committee)
    assert report(client, org).status_code == 302
    finding = session.scalar(select(Finding))
    assert finding.reporting_committee_id == committee.id and finding.evidence == SECRET
    page = client.get(f"/eligibility/organisations/{org.id}").get_data(as_text=True)
    assert "<td>Rapporterad</td>" in page and SECRET not in page and "Kalle Styrelse" not in page
    assert client.get(f"/eligibility/findings/{finding.id}").status_code == 403
    assert client.get("/eligibility/findings").status_code == 403
    # The audit log holds no details either.
    assert SECRET not in str(session.scalars(select(AuditEvent.changes)).all())
    assert officer.id == finding.reported_by_id


def test_finding_details_never_reach_other_committees_or_the_applicant(client, session, build, login_as, factory,
                                                                     now):
    org = build.organisation()
    reporter = factory.user(role=Role.OFFICER)
    services.report_finding(session, organisation=org, conduct_on=date(2026, 2, 1), category="violence",
                            actor_kind="organisation", actor_name="", source_category="media", evidence=SECRET,
                            by=reporter, reporting_committee_id=reporter.role_grants[0].committee_id, now=now)
    session.commit()
    finding = session.scalar(select(Finding))
    login_as(Role.OFFICER)  # another committee
    page = client.get(f"/eligibility/organisations/{org.id}").get_data(as_text=True)
    assert SECRET not in page and "Inga iakttagelser." in page
    assert client.get(f"/eligibility/findings/{finding.id}").status_code == 403
    logout(client)
    rep = build.representative(org)
    client.post("/login", data={"email": rep.email, "password": "correct-horse-battery"})
    assert client.get(f"/eligibility/organisations/{org.id}").status_code == 403
    assert client.get(f"/eligibility/findings/{finding.id}").status_code == 403
    logout(client)
    login_as(Role.COORDINATOR)
    assert SECRET in client.get(f"/eligibility/findings/{finding.id}").get_data(as_text=True)


def test_applicant_cannot_report_a_finding(client, build, login_as):
    org = build.organisation()
    login_as(Role.APPLICANT)
    assert report(client, org).status_code == 403


def test_finding_form_keeps_input_and_shows_the_error_beside_the_field(client, build, login_as):
    org = build.organisation()
    login_as(Role.COORDINATOR)
    response = report(client, org, actor_name="", conduct_on="2030-01-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Datumet för händelsen kan inte ligga i framtiden." in page and SECRET in page


# ---------------------------------------------------------------- the notice and the reply

def test_only_the_organisations_representatives_reply_to_its_notice(client, session, build, factory, login_as, now):
    org = build.organisation()
    rep = build.representative(org)
    stranger_org = build.organisation()
    stranger = build.representative(stranger_org)
    coordinator = factory.user(role=Role.COORDINATOR)
    finding = services.report_finding(session, organisation=org, conduct_on=date(2026, 2, 1), category="incitement",
                                      actor_kind="organisation", actor_name="", source_category="media",
                                      evidence=SECRET, by=coordinator, reporting_committee_id=None, now=now)
    session.flush()
    case = services.assess_finding(session, finding, confirm=True, reason="Uppmaningar till våld i flygblad.",
                                   by=coordinator, now=now)
    session.commit()

    client.post("/login", data={"email": stranger.email, "password": "correct-horse-battery"})
    assert client.get(f"/eligibility/organisations/{org.id}/notice").status_code == 403
    assert client.post(f"/eligibility/organisations/{org.id}/notice", data={"text": "Nej"}).status_code == 403
    logout(client)
    login_as(Role.OFFICER)
    assert client.post(f"/eligibility/organisations/{org.id}/notice", data={"text": "Nej"}).status_code == 403
    logout(client)

    client.post("/login", data={"email": rep.email, "password": "correct-horse-battery"})
    page = client.get(f"/eligibility/organisations/{org.id}/notice").get_data(as_text=True)
    assert "förvaltningslagen 25 §" in page and "Uppmaningar till våld i flygblad." in page
    assert SECRET not in page  # the grounds are the coordinator's reasons, not the reporter's evidence
    response = client.post(f"/eligibility/organisations/{org.id}/notice", data={"text": "Vi tar avstånd."})
    assert response.status_code == 302
    session.expire_all()
    assert case.reply_text == "Vi tar avstånd." and case.replied_by_id == rep.id


def test_coordinator_decides_in_the_browser_only_after_the_deadline(client, app, session, build, factory, login_as,
                                                                     now):
    org = build.organisation()
    coordinator = login_as(Role.COORDINATOR)
    finding = services.report_finding(session, organisation=org, conduct_on=date(2026, 2, 1), category="violence",
                                      actor_kind="organisation", actor_name="", source_category="media",
                                      evidence="x", by=coordinator, reporting_committee_id=None, now=now)
    session.flush()
    case = services.assess_finding(session, finding, confirm=True, reason="Hot mot deltagare.", by=coordinator,
                                   now=now)
    session.commit()
    data = {"decision": "withdraw", "reason": "Svaret saknas."}
    response = client.post(f"/eligibility/cases/{case.id}", data=data)
    assert response.status_code == 422 and "Organisationen får svara till" in response.get_data(as_text=True)
    app.config["FIXED_NOW"] = case.reply_deadline + timedelta(hours=1)
    assert client.post(f"/eligibility/cases/{case.id}", data=data).status_code == 302
    session.expire_all()
    assert org.status == "barred"
    logout(client)
    login_as(Role.OFFICER)
    assert client.get(f"/eligibility/cases/{case.id}").status_code == 403


# ---------------------------------------------------------------- screening

def test_officer_runs_a_screening_and_reads_why_rule_by_rule(client, session, build, login_as):
    build.declaration_text()
    org = build.organisation(papers=False)
    login_as(Role.OFFICER)
    response = client.post(f"/eligibility/organisations/{org.id}/screen")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Organisationen uppfyller inte villkoren: 3 regel/regler är inte uppfyllda." in page
    assert "Inga stadgar finns inlämnade." in page
    assert "Demokratiförklaringen har inte undertecknats." in page
    assert "Organisationsnumret %s är giltigt." % org.org_number in page


def test_applicant_cannot_run_or_read_a_screening(client, session, build, login_as, now):
    org = build.organisation()
    screening = screen(session, organisation=org, trigger="manual", by=None, now=now)
    session.commit()
    login_as(Role.APPLICANT)
    assert client.post(f"/eligibility/organisations/{org.id}/screen").status_code == 403
    assert client.get(f"/eligibility/screenings/{screening.id}").status_code == 403


def test_only_officers_of_the_applications_committee_screen_it(client, session, build, login_as, factory):
    committee = factory.committee()
    org = build.organisation()
    application = build.application(org, build.programme(committee))
    session.commit()
    login_as(Role.OFFICER)  # another committee
    assert client.post(f"/eligibility/applications/{application.id}/screen").status_code == 403
    logout(client)
    login_as(Role.OFFICER, committee)
    assert client.post(f"/eligibility/applications/{application.id}/screen").status_code == 302
    assert session.scalar(select(Screening.application_id)) == application.id


def test_resolving_the_open_rule_makes_the_organisation_eligible(client, session, build, login_as, now):
    org = build.organisation()
    screening = screen(session, organisation=org, trigger="manual", by=None, now=now)
    session.commit()
    assert screening.outcome == "needs_assessment"
    result = next(r for r in screening.results if r.rule_id == "democratic_structure")
    login_as(Role.OFFICER)
    url = f"/eligibility/screenings/{screening.id}/results/{result.id}/resolve"
    response = client.post(url, data={"outcome": "pass", "reason": ""})
    assert response.status_code == 422
    assert client.post(url, data={"outcome": "pass", "reason": "Styrelse och årsmöte i 5 §."}).status_code == 302
    session.expire_all()
    assert screening.outcome == "eligible"
    page = client.get(f"/eligibility/screenings/{screening.id}").get_data(as_text=True)
    assert "Organisationen uppfyller villkoren: alla regler är uppfyllda." in page
    assert "Styrelse och årsmöte i 5 §." in page
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "screening.resolved"))
    assert event.reason == "Styrelse och årsmöte i 5 §."


def test_status_badge_shows_bar_notice_and_screening(app, session, build, now):
    from flask import render_template_string

    def badge(org):
        with app.test_request_context():
            return render_template_string('{% include "eligibility/_status_badge.html" %}', organisation=org)

    assert "Inte granskad" in badge(build.organisation())
    assert "Avstängd" in badge(build.organisation(status="barred"))
    assert "Underrättad om indragning" in badge(build.organisation(status="under_notice"))
    org = build.organisation(papers=False)
    screen(session, organisation=org, trigger="manual", by=None, now=now)
    session.commit()
    assert "Uppfyller inte villkoren" in badge(org)


# ---------------------------------------------------------------- rule set versions

def test_admin_publishes_a_new_version_and_old_screenings_keep_theirs(client, session, build, login_as, now,
                                                                       rule_set):
    org = build.organisation()
    old = screen(session, organisation=org, trigger="manual", by=None, now=now)
    session.commit()
    login_as(Role.ADMIN)
    form = client.get("/eligibility/rule-sets/new").get_data(as_text=True)
    assert "no_confirmed_finding lookback_years=5" in form
    response = client.post("/eligibility/rule-sets/new", data={
        "name": "Skärpt", "validity_days": "14",
        "rules": "not_barred\nno_confirmed_finding lookback_years=10\ndeclaration_valid"})
    assert response.status_code == 302
    new = session.scalar(select(RuleSet).where(RuleSet.version == 2))
    assert new.rules == [{"id": "not_barred", "params": {}},
                         {"id": "no_confirmed_finding", "params": {"lookback_years": 10}},
                         {"id": "declaration_valid", "params": {}}]
    latest = screen(session, organisation=org, trigger="manual", by=None, now=now)
    assert latest.rule_set.version == 2 and [r.rule_id for r in latest.results] == [
        "not_barred", "no_confirmed_finding", "declaration_valid"]
    session.expire_all()
    assert old.rule_set.version == 1 and len(old.results) == 7
    page = client.get("/eligibility/rule-sets").get_data(as_text=True)
    assert "Version 2: Skärpt" in page


def test_unknown_rule_is_refused_beside_the_field(client, login_as):
    login_as(Role.ADMIN)
    response = client.post("/eligibility/rule-sets/new", data={"name": "X", "validity_days": "30",
                                                               "rules": "no_such_rule"})
    assert response.status_code == 422 and "Okänd regel: no_such_rule." in response.get_data(as_text=True)


def test_a_used_rule_set_version_cannot_change(session, build, now, rule_set):
    screen(session, organisation=build.organisation(), trigger="manual", by=None, now=now)
    session.commit()
    rule_set.validity_days = 90
    with pytest.raises(RuleSetInUse):
        session.commit()
    session.rollback()
    assert session.get(RuleSet, rule_set.id).validity_days == 30


def test_an_unused_version_may_still_be_corrected(session, rule_set):
    rule_set.validity_days = 60
    session.commit()
    assert rule_set.validity_days == 60


def test_non_admin_cannot_publish_rule_sets(client, login_as):
    login_as(Role.COORDINATOR)
    assert client.get("/eligibility/rule-sets").status_code == 403
    assert client.post("/eligibility/rule-sets/new", data={"name": "X", "validity_days": "1",
                                                           "rules": "not_barred"}).status_code == 403


def test_install_defaults_is_idempotent(runner, session):
    assert "version 1" in runner.invoke(args=["eligibility", "install-defaults"]).output
    runner.invoke(args=["eligibility", "install-defaults"])
    assert session.scalar(select(func.count(RuleSet.id))) == 1


# ---------------------------------------------------------------- lists do not grow in queries

def test_coordinator_lists_do_not_grow_in_queries(client, session, build, login_as, count_queries, now):
    coordinator = login_as(Role.COORDINATOR)

    def add(n):
        for _ in range(n):
            org = build.organisation(papers=False)
            finding = services.report_finding(session, organisation=org, conduct_on=date(2026, 2, 1),
                                              category="violence", actor_kind="organisation", actor_name="",
                                              source_category="media", evidence="x", by=coordinator,
                                              reporting_committee_id=None, now=now)
            session.flush()
            services.assess_finding(session, finding, confirm=True, reason="Ja.", by=coordinator, now=now)
        session.commit()

    def counts():
        result = []
        for url in ("/eligibility/findings?status=confirmed", "/eligibility/cases"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            result.append(counter.count)
        return result

    add(2)
    few = counts()
    add(6)
    assert counts() == few


def test_a_screening_of_an_application_opens_only_for_those_who_may_see_the_application(client, factory, login_as):
    """Staff of another committee see on the organisation's page that a screening ran, but neither
    open it nor run or assess it (issue 14: the screening page was open to every committee's staff)."""
    owning = factory.committee()
    org = factory.organisation()
    programme = factory.programme(owning)
    application = factory.application(programme, org, org.representatives[0].user, submit=True)
    screening = factory.eligible_screening(application)
    link = f'href="/eligibility/screenings/{screening.id}"'
    login_as(Role.DECISION_MAKER)  # of another committee
    assert link not in client.get(f"/eligibility/organisations/{org.id}").get_data(as_text=True)
    assert client.get(f"/eligibility/screenings/{screening.id}").status_code == 403
    assert client.post(f"/eligibility/applications/{application.id}/screen").status_code == 403
    result = screening.results[0]
    assert client.post(f"/eligibility/screenings/{screening.id}/results/{result.id}/resolve",
                       data={"outcome": "pass", "reason": "Ser bra ut."}).status_code == 403
    logout(client)
    login_as(Role.DECISION_MAKER, owning)
    assert link in client.get(f"/eligibility/organisations/{org.id}").get_data(as_text=True)
    assert client.get(f"/eligibility/screenings/{screening.id}").status_code == 200
