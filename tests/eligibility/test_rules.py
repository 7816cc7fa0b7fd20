"""Each default rule: when it passes, when it fails, when an officer must assess."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from eligibility.models import Finding
from eligibility.screening import screen
from tests.eligibility.conftest import org_number

pytestmark = pytest.mark.usefixtures("rule_set")


def outcome(session, org, rule_id, now, application=None):
    screening = screen(session, organisation=org, application=application, trigger="manual", by=None, now=now)
    session.commit()
    return next(r for r in screening.results if r.rule_id == rule_id)


def finding(session, org, reporter, now, status, conduct_on):
    session.add(Finding(organisation_id=org.id, reported_by_id=reporter.id, conduct_on=conduct_on,
                        category="violence", actor_kind="organisation", source_category="media", evidence="x",
                        status=status, created_at=now))
    session.commit()


def test_a_well_documented_organisation_is_eligible(session, build, now):
    org = build.organisation()
    screening = screen(session, organisation=org, trigger="manual", by=None, now=now)
    outcomes = {r.rule_id: r.outcome for r in screening.results}
    # The democratic structure is always read by an officer the first time.
    assert outcomes.pop("democratic_structure") == "needs_assessment"
    assert set(outcomes.values()) == {"pass"}
    assert "application_within_terms" not in outcomes  # an organisation-only screening


@pytest.mark.parametrize("number, expected", [
    (None, "pass"), ("5560360793", "needs_assessment"), ("8020016687", "fail")])
def test_organisation_number_rule(session, build, now, number, expected):
    org = build.organisation(number=number or org_number("8"))
    result = outcome(session, org, "org_number_valid", now)
    assert result.outcome == expected
    assert result.evidence["org_number"] == org.org_number


def test_statutes_rule_passes_fails_and_asks_when_old(session, build, now):
    org = build.organisation()
    assert outcome(session, org, "statutes_on_file", now).outcome == "pass"
    bare = build.organisation(papers=False)
    assert outcome(session, bare, "statutes_on_file", now).outcome == "fail"
    old = build.organisation(papers=False)
    build.statutes(old, uploaded_at=now - timedelta(days=11 * 365))
    assert outcome(session, old, "statutes_on_file", now).outcome == "needs_assessment"


def test_democratic_structure_fails_without_statutes_and_remembers_an_officers_pass(session, build, now, factory):
    assert outcome(session, build.organisation(papers=False), "democratic_structure", now).outcome == "fail"
    org = build.organisation()
    first = outcome(session, org, "democratic_structure", now)
    assert first.outcome == "needs_assessment"
    from eligibility.services import resolve_result

    resolve_result(session, first, outcome="pass", reason="Stadgarna har styrelse och årsmöte.",
                   by=factory.coordinator(), now=now)
    session.commit()
    assert outcome(session, org, "democratic_structure", now + timedelta(hours=1)).outcome == "pass"
    # New statutes must be read again.
    build.statutes(org, uploaded_at=now + timedelta(hours=2))
    session.commit()
    assert outcome(session, org, "democratic_structure", now + timedelta(hours=3)).outcome == "needs_assessment"


def test_declaration_rule(session, build, now):
    assert outcome(session, build.organisation(), "declaration_valid", now).outcome == "pass"
    unsigned = build.organisation(papers=False)
    assert outcome(session, unsigned, "declaration_valid", now).evidence["reason"] == "missing"
    expired = build.organisation(papers=False)
    build.declaration(expired, build.board_member(expired, authorised=True), signed_at=now - timedelta(days=400),
                      expires_at=now - timedelta(days=1))
    assert outcome(session, expired, "declaration_valid", now).outcome == "fail"
    not_signatory = build.organisation(papers=False)
    build.declaration(not_signatory, build.board_member(not_signatory, authorised=False))
    assert outcome(session, not_signatory, "declaration_valid", now).outcome == "needs_assessment"


def test_findings_rule_looks_back_five_years(session, build, now, factory):
    reporter = factory.user()
    org = build.organisation()
    finding(session, org, reporter, now, "confirmed", date(2020, 1, 1))  # older than the look-back
    finding(session, org, reporter, now, "dismissed", date(2025, 1, 1))
    assert outcome(session, org, "no_confirmed_finding", now).outcome == "pass"
    finding(session, org, reporter, now, "reported", date(2025, 6, 1))
    assert outcome(session, org, "no_confirmed_finding", now).outcome == "needs_assessment"
    finding(session, org, reporter, now, "confirmed", date(2024, 6, 1))
    result = outcome(session, org, "no_confirmed_finding", now)
    assert result.outcome == "fail"
    assert "evidence" not in str(result.evidence)  # details stay out of the screening


@pytest.mark.parametrize("status, expected", [
    ("active", "pass"), ("under_notice", "needs_assessment"), ("barred", "fail")])
def test_not_barred_rule(session, build, now, status, expected):
    assert outcome(session, build.organisation(status=status), "not_barred", now).outcome == expected


def test_reports_rule_reads_earlier_grants_milestones(session, build, now, factory):
    committee = factory.committee()
    org = build.organisation()
    grant = build.grant(org, committee)
    build.milestone(grant, due_on=date(2025, 12, 1), approved_at=now - timedelta(days=80))
    build.milestone(grant, due_on=date(2026, 6, 1))  # not yet due
    session.commit()
    assert outcome(session, org, "reports_on_time", now).outcome == "pass"
    build.milestone(grant, due_on=date(2026, 2, 1))
    session.commit()
    result = outcome(session, org, "reports_on_time", now)
    assert result.outcome == "needs_assessment"
    assert len(result.evidence["overdue"]) == 1
    build.milestone(grant, due_on=date(2024, 12, 1))
    session.commit()
    assert outcome(session, org, "reports_on_time", now).outcome == "fail"


def test_application_rule_checks_amount_and_period(session, build, now, factory):
    committee = factory.committee()
    org = build.organisation()
    programme = build.programme(committee, max_per_grant=100_000_00)
    within = build.application(org, programme, amount=100_000_00)
    assert outcome(session, org, "application_within_terms", now, within).outcome == "pass"
    too_much = build.application(org, programme, amount=100_000_01)
    assert outcome(session, org, "application_within_terms", now, too_much).outcome == "fail"
    too_long = build.application(org, programme, period=(date(2026, 4, 1), date(2030, 1, 1)))
    assert outcome(session, org, "application_within_terms", now, too_long).outcome == "fail"
    no_period = build.application(org, programme, period=(None, None))
    assert outcome(session, org, "application_within_terms", now, no_period).outcome == "needs_assessment"
