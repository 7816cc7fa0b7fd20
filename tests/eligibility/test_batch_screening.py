"""Screening many organisations at once (screen_many) gives each organisation the same outcome and
evidence as screening it alone (screen), and costs as many queries for 9 organisations as for 3."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from eligibility.models import Finding, Screening
from eligibility.screening import screen, screen_many
from eligibility.services import resolve_result
from organisations.models import DeclarationText
from portal.extensions import db
from portal.models import AuditEvent
from tests.eligibility.conftest import org_number

pytestmark = pytest.mark.usefixtures("rule_set")


def finding(session, org, reporter, now, status, conduct_on):
    session.add(Finding(organisation_id=org.id, reported_by_id=reporter.id, conduct_on=conduct_on,
                        category="violence", actor_kind="organisation", source_category="media", evidence="x",
                        status=status, created_at=now))
    session.flush()


def screened(session, screening_ids):
    by_id = {s.id: s for s in session.scalars(select(Screening).where(Screening.id.in_(screening_ids)))}
    return [by_id[i] for i in screening_ids]


def what_officers_see(screening):
    return screening.outcome, [(r.position, r.rule_id, r.requirement, r.outcome, r.evidence) for r in screening.results]


def organisations_in_every_situation(session, build, factory, now):
    """One or more organisations for each reason a default organisation rule can give."""
    orgs = []
    # Signed the declaration's first version, before a second version was published.
    old_version = build.organisation()
    session.add(DeclarationText(version=2, text_sv="Vi står bakom demokratin, ny lydelse.",
                                text_en="We support democracy, new wording.", published_at=now - timedelta(days=5)))
    session.commit()
    orgs.append(old_version)
    orgs.append(build.organisation())  # well documented
    orgs.append(build.organisation(number="5560360793"))  # a company: unexpected group
    orgs.append(build.organisation(number="8020016687"))  # invalid number
    orgs.append(build.organisation(papers=False))  # nothing on file
    old_statutes = build.organisation(papers=False)
    build.statutes(old_statutes, uploaded_at=now - timedelta(days=11 * 365))
    build.declaration(old_statutes, build.board_member(old_statutes, authorised=True))
    orgs.append(old_statutes)
    no_board = build.organisation(papers=False)
    build.statutes(no_board)
    orgs.append(no_board)
    expired = build.organisation(papers=False)
    build.declaration(expired, build.board_member(expired, authorised=True), signed_at=now - timedelta(days=400),
                      expires_at=now - timedelta(days=1))
    orgs.append(expired)
    not_signatory = build.organisation(papers=False)
    build.declaration(not_signatory, build.board_member(not_signatory, authorised=False))
    orgs.append(not_signatory)
    other_board = build.organisation(papers=False)
    build.declaration(other_board, build.board_member(orgs[1], authorised=True))  # signed by another's chair
    orgs.append(other_board)
    unknown_signer = build.organisation(papers=False)
    build.declaration(unknown_signer, None)
    orgs.append(unknown_signer)

    reporter = factory.user()
    clean_record = build.organisation()
    finding(session, clean_record, reporter, now, "confirmed", date(2020, 1, 1))  # older than the look-back
    finding(session, clean_record, reporter, now, "dismissed", date(2025, 1, 1))
    unassessed = build.organisation()
    finding(session, unassessed, reporter, now, "reported", date(2025, 6, 1))
    confirmed = build.organisation()
    finding(session, confirmed, reporter, now, "reported", date(2025, 6, 1))
    finding(session, confirmed, reporter, now, "confirmed", date(2024, 6, 1))
    orgs += [clean_record, unassessed, confirmed]

    orgs += [build.organisation(status="under_notice"), build.organisation(status="barred")]

    committee = factory.committee()
    late, long_late, reported = build.organisation(), build.organisation(), build.organisation()
    # Every grant first: the grants services refuse a new grant once a report is long overdue.
    grants = [(build.grant(org, committee), due_on)
              for org, due_on in ((late, date(2026, 2, 1)), (long_late, date(2024, 12, 1)), (long_late, date(2026, 1, 1)))]
    for grant, due_on in grants:
        build.milestone(grant, due_on=due_on)
    build.milestone(build.grant(reported, committee), due_on=date(2025, 12, 1), approved_at=now - timedelta(days=80))
    orgs += [late, long_late, reported]

    # An officer found the statutes democratic: that stands until new statutes come, and a later
    # "not met" overrides it.
    accepted, renewed, rejected = build.organisation(), build.organisation(), build.organisation()
    officer = factory.officer(factory.committee())
    for org, answers in ((accepted, ["pass"]), (renewed, ["pass"]), (rejected, ["pass", "fail"])):
        earlier = [screen(session, organisation=org, trigger="manual", by=None, now=now - timedelta(days=4))
                   for _answer in answers]
        for n, (screening, answer) in enumerate(zip(earlier, answers)):
            result = next(r for r in screening.results if r.rule_id == "democratic_structure")
            resolve_result(session, result, outcome=answer, reason="Stadgarna är lästa.", by=officer,
                           now=now - timedelta(days=3 - n))
    build.statutes(renewed, uploaded_at=now - timedelta(hours=1))
    orgs += [accepted, renewed, rejected]
    session.commit()
    return orgs


def test_screening_all_organisations_at_once_gives_each_the_same_outcome_and_evidence_as_alone(
        session, build, factory, now):
    orgs = organisations_in_every_situation(session, build, factory, now)

    together = screened(session, screen_many(session, orgs, trigger="batch", by=None, now=now, chunk_size=4))
    session.commit()
    alone = [screen(session, organisation=org, trigger="manual", by=None, now=now) for org in orgs]
    session.commit()

    assert [s.organisation_id for s in together] == [o.id for o in orgs]
    assert [what_officers_see(s) for s in together] == [what_officers_see(s) for s in alone]
    # Every reason the organisation rules can give was met, so the comparison covered them all
    # (only "no declaration text published" needs a city without one: the next test).
    reasons = {(r.rule_id, r.evidence["reason"]) for s in together for r in s.results}
    assert reasons == {
        ("org_number_valid", "valid"), ("org_number_valid", "unexpected_group"), ("org_number_valid", "invalid"),
        ("statutes_on_file", "on_file"), ("statutes_on_file", "old"), ("statutes_on_file", "missing"),
        ("democratic_structure", "no_statutes"), ("democratic_structure", "no_board"),
        ("democratic_structure", "read_statutes"), ("democratic_structure", "resolved_earlier"),
        ("declaration_valid", "valid"), ("declaration_valid", "missing"), ("declaration_valid", "expired"),
        ("declaration_valid", "old_version"), ("declaration_valid", "signatory_not_authorised"),
        ("no_confirmed_finding", "none"), ("no_confirmed_finding", "unassessed"),
        ("no_confirmed_finding", "confirmed"),
        ("not_barred", "active"), ("not_barred", "under_notice"), ("not_barred", "barred"),
        ("reports_on_time", "none_overdue"), ("reports_on_time", "overdue"), ("reports_on_time", "long_overdue"),
    }
    # Each screening explains itself in the audit log, as a single one does.
    runs = session.scalars(select(AuditEvent).where(AuditEvent.action == "screening.performed")).all()
    assert sorted(int(e.object_id) for e in runs if e.changes["trigger"] == "batch") == sorted(s.id for s in together)


def test_screening_at_once_before_any_declaration_text_is_published_matches_screening_alone(session, build, now):
    orgs = [build.organisation(papers=False), build.organisation(papers=False)]
    together = screened(session, screen_many(session, orgs, trigger="batch", by=None, now=now))
    alone = [screen(session, organisation=org, trigger="manual", by=None, now=now) for org in orgs]
    assert [what_officers_see(s) for s in together] == [what_officers_see(s) for s in alone]
    assert {next(r for r in s.results if r.rule_id == "declaration_valid").evidence["reason"]
            for s in together} == {"no_text"}


@contextmanager
def statements():
    """The SQL statements run inside the block (like the count_queries fixture, but keeping their text)."""
    seen = []

    def spy(conn, cursor, statement, *args):
        seen.append(statement.lstrip().split(None, 3))

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)


def test_screening_nine_organisations_costs_as_many_queries_as_screening_three(session, build, factory, now):
    committee = factory.committee()
    reporter = factory.user()

    def organisations(n):
        orgs = []
        for _ in range(n):
            org = build.organisation(number=org_number("8"))
            finding(session, org, reporter, now, "reported", date(2025, 6, 1))
            build.milestone(build.grant(org, committee), due_on=date(2026, 2, 1))
            orgs.append(org)
        session.commit()
        return orgs

    runs = []
    for orgs in (organisations(3), organisations(9)):
        session.expire_all()
        loaded = [session.get(type(org), org.id) for org in orgs]
        with statements() as seen:
            screen_many(session, loaded, trigger="batch", by=None, now=now)
        session.commit()
        runs.append(seen)
    inserts = [[s for s in run if s[0].upper() == "INSERT"] for run in runs]
    reads = [[s for s in run if s[0].upper() != "INSERT"] for run in runs]
    assert len(reads[0]) == len(reads[1]) > 0
    # The screenings go in one statement, their results in one more (PostgreSQL: a COPY, which the
    # counter does not see); the audit events are added by the ORM, which inserts them one by one
    # where the database cannot return the ids of many rows (SQLite).
    assert [len([s for s in run if s[2] == "screening"]) for run in inserts] == [1, 1]
    assert [len([s for s in run if s[2] == "screening_result"]) for run in inserts] in ([1, 1], [0, 0])
    if db.engine.dialect.name == "postgresql":
        assert len(inserts[0]) == len(inserts[1])
