"""Builders for eligibility tests: organisations with their papers, and grants data made directly
with the grants models (the grants services are another developer's work)."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from stdnum import luhn

from eligibility.services import ensure_default_rule_set
from grants.models import (Application, Decision, FollowUpPlan, Grant, Milestone, Programme, Tranche)
from organisations.models import (BoardMember, DeclarationSignature, DeclarationText, Document, Organisation,
                                  Representative)
from portal.models import Role

_numbers = itertools.count(1000)


def org_number(group: str = "8") -> str:
    body = f"{group}02{next(_numbers):06d}"
    return body + luhn.calc_check_digit(body)


class Builder:
    def __init__(self, session, factory, now: datetime):
        self.session, self.factory, self.now = session, factory, now
        self._clerk = None

    @property
    def clerk(self):
        if self._clerk is None:
            self._clerk = self.factory.user()
        return self._clerk

    def organisation(self, *, papers: bool = True, number: str | None = None, status: str = "active",
                     email: str = "") -> Organisation:
        org = Organisation(org_number=number or org_number(), name=f"Förening {next(_numbers)}",
                           legal_form="non_profit_association", status=status, email=email,
                           created_at=self.now, updated_at=self.now)
        self.session.add(org)
        self.session.flush()
        if papers:
            chair = self.board_member(org, authorised=True)
            self.statutes(org)
            self.declaration(org, chair)
        self.session.commit()
        return org

    def board_member(self, org, authorised=False, name="Ordförande Ordsson") -> BoardMember:
        member = BoardMember(organisation_id=org.id, name=name, role="chair", authorised_signatory=authorised)
        self.session.add(member)
        self.session.flush()
        return member

    def statutes(self, org, uploaded_at: datetime | None = None) -> Document:
        doc = Document(organisation_id=org.id, kind="statutes", sha256="0" * 64, size=10, mime_type="application/pdf",
                       original_name="stadgar.pdf", uploaded_by_id=self.clerk.id,
                       uploaded_at=uploaded_at or self.now - timedelta(days=30))
        self.session.add(doc)
        self.session.flush()
        return doc

    def declaration_text(self) -> DeclarationText:
        text = self.session.query(DeclarationText).order_by(DeclarationText.version.desc()).first()
        if text is None:
            text = DeclarationText(version=1, text_sv="Vi står bakom demokratin.", text_en="We support democracy.",
                                   published_at=self.now - timedelta(days=400))
            self.session.add(text)
            self.session.flush()
        return text

    def declaration(self, org, member: BoardMember | None, *, signed_at=None, expires_at=None):
        text = self.declaration_text()
        signature = DeclarationSignature(
            organisation_id=org.id, text_id=text.id, signed_by_id=self.clerk.id,
            signatory_board_member_id=member.id if member else None,
            signatory_name=member.name if member else "Någon Annan",
            signed_at=signed_at or self.now - timedelta(days=10),
            expires_at=expires_at or self.now + timedelta(days=355))
        self.session.add(signature)
        self.session.flush()
        return signature

    def representative(self, org, **kwargs):
        user = self.factory.user(role=Role.APPLICANT, **kwargs)
        self.session.add(Representative(organisation_id=org.id, user_id=user.id, added_at=self.now))
        self.session.commit()
        return user

    def programme(self, committee, max_per_grant=100_000_00) -> Programme:
        programme = Programme(committee_id=committee.id, title="Demokrati i vardagen", action_area="general",
                              budget=1_000_000_00, max_per_grant=max_per_grant, opens_on=date(2026, 1, 1),
                              closes_on=date(2026, 12, 31), status="published", created_at=self.now)
        self.session.add(programme)
        self.session.flush()
        return programme

    def application(self, org, programme, status="submitted", amount=50_000_00,
                    period=(date(2026, 4, 1), date(2027, 3, 31))) -> Application:
        application = Application(organisation_id=org.id, programme_id=programme.id, created_by_id=self.clerk.id,
                                  title="Samtal om demokrati", requested_amount=amount, period_start=period[0],
                                  period_end=period[1], status=status, created_at=self.now, updated_at=self.now)
        self.session.add(application)
        self.session.flush()
        return application

    def grant(self, org, committee, *, status="active", tranches=(), programme=None) -> Grant:
        """tranches: (status, paid_at or None) pairs."""
        programme = programme or self.programme(committee)
        application = self.application(org, programme, status="decided")
        decision = Decision(application_id=application.id, outcome="approve", amount=60_000_00, reasons="Bra.",
                            decided_by_id=self.clerk.id, decided_at=self.now - timedelta(days=100))
        self.session.add(decision)
        self.session.flush()
        grant = Grant(application_id=application.id, decision_id=decision.id, organisation_id=org.id,
                      committee_id=committee.id, programme_id=programme.id, amount=60_000_00,
                      period_start=date(2025, 6, 1), period_end=date(2026, 12, 31), status=status,
                      created_at=self.now - timedelta(days=100))
        self.session.add(grant)
        self.session.flush()
        for i, (tranche_status, paid_at) in enumerate(tranches):
            self.session.add(Tranche(grant_id=grant.id, due_on=date(2025, 7, 1) + timedelta(days=60 * i),
                                     amount=20_000_00, status=tranche_status, paid_at=paid_at))
        self.session.flush()
        return grant

    def milestone(self, grant, due_on: date, approved_at: datetime | None = None,
                  handed_in_at: datetime | None = None) -> Milestone:
        """A report milestone; an approved report was handed in when it was approved unless told."""
        plan = self.session.query(FollowUpPlan).filter_by(application_id=grant.application_id).first()
        if plan is None:
            plan = FollowUpPlan(application_id=grant.application_id, created_at=self.now, updated_at=self.now)
            self.session.add(plan)
            self.session.flush()
        milestone = Milestone(plan_id=plan.id, kind="interim", due_on=due_on, report_approved_at=approved_at,
                              report_handed_in_at=handed_in_at or approved_at)
        self.session.add(milestone)
        self.session.flush()
        return milestone


@pytest.fixture
def build(session, factory, now):
    return Builder(session, factory, now)


@pytest.fixture
def rule_set(session, now):
    rule_set = ensure_default_rule_set(session, now)
    session.commit()
    return rule_set
