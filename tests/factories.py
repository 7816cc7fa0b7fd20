"""The one test data builder. Every package's tests build their data here, through the same
service functions the application uses, so test data obeys the rules the application enforces.

Rows are written by hand only in two cases, each in a method whose name says so:
- no service makes the row or sets the value yet (`set_consent`, `force_experience`);
- a test deliberately needs a state the services refuse (every `force_*` method), for example an
  organisation barred without a case, or a board without an authorised signatory.

History is built at the moment it happened: `at=` moves the clock a service is given, so a
declaration signed a year ago or a grant decided in 2025 goes through the same checks as one made
today. Mail queued while building is dropped (see `_built`): it belongs to the history a test
starts from, and tests watch the outbox for what their own steps send.
"""
from __future__ import annotations

import functools
import io
import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from stdnum import luhn

from eligibility import services as eligibility_services
from eligibility.models import RuleOutcome, RuleSet, Screening, ScreeningOutcome
from grants import payments
from grants import services as grants_services
from grants.models import (Application, ApplicationStatus, Grant, GrantStatus, Milestone, Programme, Review,
                           Tranche, TrancheStatus)
from grants.withdrawal import end_grant
from monitoring import reports as report_services
from monitoring.models import Evaluation, Experience, GranteeReport
from organisations import services as organisation_services
from organisations.models import BoardMember, DeclarationSignature, Organisation
from portal.admin.services import create_committee, create_user
from portal.models import Committee, CommitteeKind, OutboxMessage, Role, User

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)
_org_numbers = itertools.count(1)
_pdf_bytes: dict[str, bytes] = {}


def org_number(group: str = "8") -> str:
    """A valid Swedish organisation number, different on every call: nine digits from a counter
    (the legal-form group, "02", six counted digits) and the Luhn check digit. Group 8 is the
    non-profit associations'; "5" gives a limited company's."""
    body = f"{group}02{next(_org_numbers):06d}"
    return body + luhn.calc_check_digit(body)


def small_pdf(title: str = "Stadgar") -> bytes:
    """A real one-page PDF (made once per title: reportlab is not free)."""
    if title not in _pdf_bytes:
        from organisations.demo import small_pdf as make_pdf

        _pdf_bytes[title] = make_pdf(title)
    return _pdf_bytes[title]


def _built(method):
    """Commit what a public builder made, and drop the mail it queued (see the module docstring).
    Builders call each other; only the outermost one commits and drops."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._depth:
            return method(self, *args, **kwargs)
        self.session.flush()
        mark = self.session.scalar(select(func.max(OutboxMessage.id))) or 0
        self._depth += 1
        try:
            result = method(self, *args, **kwargs)
            self.session.flush()
            if not self.keep_mail:
                self.session.execute(delete(OutboxMessage).where(OutboxMessage.id > mark))
            self.session.commit()
            return result
        finally:
            self._depth -= 1

    return wrapper


class Factory:
    def __init__(self, session: Session, now: datetime, keep_mail: bool = False):
        self.session = session
        self.now = now
        self.keep_mail = keep_mail
        self._depth = 0

    # ------------------------------------------------------------------ people and committees

    @_built
    def committee(self, name: str | None = None, kind: CommitteeKind = CommitteeKind.DISTRICT) -> Committee:
        return create_committee(self.session, name=name or f"Nämnd {next(_counter)}", kind=kind.value, actor=None,
                                now=self.now)

    @_built
    def user(self, role: Role | None = None, committee: Committee | None = None, email: str | None = None,
             name: str | None = None, password: str = DEFAULT_PASSWORD, roles=(), **kwargs) -> User:
        """A user with one role (committee roles get a new committee unless one is given), or with
        `roles`: (role, committee) pairs."""
        n = next(_counter)
        granted = [(r, c.id if c else None) for r, c in roles]
        if role is not None:
            if role in (Role.OFFICER, Role.DECISION_MAKER) and committee is None:
                committee = self.committee()
            granted.append((role, committee.id if committee else None))
        return create_user(self.session, email=email or f"user{n}@example.org", name=name or f"Användare {n}",
                           password=password, actor=None, now=self.now, roles=granted, **kwargs)

    def officer(self, committee: Committee, **kwargs) -> User:
        return self.user(role=Role.OFFICER, committee=committee, **kwargs)

    def decision_maker(self, committee: Committee, **kwargs) -> User:
        return self.user(role=Role.DECISION_MAKER, committee=committee, **kwargs)

    def coordinator(self, **kwargs) -> User:
        return self.user(role=Role.COORDINATOR, **kwargs)

    def applicant(self, **kwargs) -> User:
        return self.user(role=Role.APPLICANT, **kwargs)

    def _officer_of(self, committee_id: int) -> User:
        return self._staff_of(committee_id, Role.OFFICER)

    def _staff_of(self, committee_id: int, role: Role) -> User:
        """The committee's first user with the role, made if it has none: who acts where a service
        needs an officer or a decision maker and the test named none."""
        from portal.models import RoleGrant

        user = self.session.scalar(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                   .where(RoleGrant.committee_id == committee_id, RoleGrant.role == role.value,
                                          User.active.is_(True))
                                   .order_by(User.id).limit(1))
        return user or self.user(role=role, committee=self.session.get(Committee, committee_id))

    # ------------------------------------------------------------------ organisations

    @_built
    def declaration_text(self):
        """The current democracy declaration text, publishing the built-in one if there is none."""
        from organisations.declarations import current_text

        return current_text(self.session) or organisation_services.publish_default_declaration_text(
            self.session, now=self.now)

    @_built
    def new_declaration_version(self):
        """A new version of the declaration text: every organisation must sign again."""
        from organisations.declarations import current_text

        version = (current_text(self.session).version if current_text(self.session) else 0) + 1
        return organisation_services.publish_declaration_text(
            self.session, text_sv=f"Vi står bakom demokratin (version {version}).",
            text_en=f"We stand by democracy (version {version}).", user=None, now=self.now)

    @_built
    def organisation(self, name: str | None = None, *, representative: User | None = None,
                     districts=("Rinkeby-Kista",), number: str | None = None, email: str = "", city: str = "",
                     legal_form: str = "non_profit_association", board=None, signed: bool = True,
                     statutes: bool = True, papers_at: datetime | None = None, **profile) -> Organisation:
        """Registered through organisations.services by `representative` (a new applicant unless
        given), with a board whose chair signs for it. With `signed` the chair signs the
        declaration, with `statutes` the statutes are uploaded, both at `papers_at` (30 days ago)."""
        n = next(_counter)
        representative = representative or self.applicant()
        board = board or [organisation_services.BoardRow("Ada Ordförande", "Ordförande", True),
                          organisation_services.BoardRow("Bo Kassör", "Kassör", False)]
        data = organisation_services.ProfileData(name=name or f"Förening {n}", legal_form=legal_form, email=email,
                                                 city=city, districts=list(districts) or ["Rinkeby-Kista"],
                                                 board=list(board), **profile)
        result = organisation_services.register_organisation(
            self.session, user=representative, org_number=number or org_number(), data=data,
            allowed_districts=data.districts, now=self.now, base_url="http://localhost")
        if result.organisation is None:
            raise ValueError(f"the organisation number {number} is already registered")
        org = result.organisation
        if not districts:
            self.force_no_districts(org)
        papers_at = papers_at or self.now - timedelta(days=30)
        if statutes:
            self.statutes(org, at=papers_at)
        if signed:
            self.sign_declaration(org, at=papers_at)
        return org

    @_built
    def representative(self, org: Organisation, user: User | None = None, **kwargs) -> User:
        """Another representative: the user asks to join and a representative approves."""
        user = user or self.applicant(**kwargs)
        join = organisation_services.request_to_join(self.session, user=user, organisation=org, now=self.now,
                                                     base_url="http://localhost")
        approver = org.representatives[0].user
        organisation_services.decide_join_request(self.session, join, approve=True, user=approver, now=self.now)
        return user

    @_built
    def board_member(self, org: Organisation, name: str, role: str = "Ledamot", authorised: bool = False) -> BoardMember:
        """Add a board member through the profile service (which insists the board keeps a signatory)."""
        rows = [organisation_services.BoardRow(b.name, b.role, b.authorised_signatory) for b in org.board_members]
        rows.append(organisation_services.BoardRow(name, role, authorised))
        data = organisation_services.ProfileData(
            **{k: getattr(org, k) for k in ("name", "legal_form", "street_address", "postal_code", "city",
                                             "contact_name", "email", "phone", "website", "payment_account_type",
                                             "payment_account", "founding_year", "members_women", "members_men",
                                             "members_other")},
            districts=org.district_names, board=rows)
        organisation_services.update_profile(self.session, org, user=org.representatives[0].user, data=data,
                                             allowed_districts=org.district_names, now=self.now)
        self.session.flush()
        return next(b for b in org.board_members if b.name == name)

    @_built
    def statutes(self, org: Organisation, at: datetime | None = None, name: str = "stadgar.pdf"):
        """The organisation's statutes, uploaded by a representative at `at` (now)."""
        return organisation_services.upload_document(
            self.session, org, user=org.representatives[0].user, kind="statutes", stream=io.BytesIO(small_pdf()),
            original_name=name, year=None, now=at or self.now, upload_dir=current_app.config["UPLOAD_DIR"],
            max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)

    @_built
    def sign_declaration(self, org: Organisation, *, member: BoardMember | None = None, signer: User | None = None,
                         at: datetime | None = None, expires_at: datetime | None = None) -> DeclarationSignature:
        """The current declaration signed for the organisation by an authorised board member (the
        first), at `at` (now), or so that it expires at `expires_at`."""
        self.declaration_text()
        months = current_app.config["DECLARATION_VALID_MONTHS"]
        if expires_at is not None:
            at = organisation_services.add_months(expires_at, -months)
        member = member or next(b for b in org.board_members if b.authorised_signatory)
        return organisation_services.sign_declaration(
            self.session, org, user=signer or org.representatives[0].user, board_member_id=member.id, confirmed=True,
            now=at or self.now, valid_months=months)

    def set_consent(self, org: Organisation, consents: bool = True) -> None:
        """Consent to be named in the experience bank. By hand: no service records it yet."""
        org.consents_to_name_in_experiences = consents
        self.session.commit()

    def force_status(self, org: Organisation, status: str) -> None:
        """Under notice or barred with no finding or case behind it (the eligibility services reach
        these states only through a confirmed finding): for tests of the status alone."""
        org.status = status
        org.status_changed_at = self.now
        self.session.commit()

    def force_org_number(self, org: Organisation, number: str) -> None:
        """A number the registry refuses (a wrong check digit), for tests of the rule that must catch it."""
        org.org_number = number
        self.session.commit()

    def force_no_districts(self, org: Organisation) -> None:
        """An organisation with no district of activity, which registration refuses."""
        org.districts.clear()
        self.session.flush()

    def force_no_board(self, org: Organisation) -> None:
        """An organisation without a board, which registration refuses."""
        org.board_members.clear()
        self.session.commit()

    def force_board_member(self, org: Organisation, name: str = "Ordförande Ordsson", role: str = "chair",
                           authorised: bool = False) -> BoardMember:
        """A board member added by hand, for boards the profile service refuses (no signatory)."""
        member = BoardMember(organisation_id=org.id, name=name, role=role, authorised_signatory=authorised)
        self.session.add(member)
        self.session.commit()
        return member

    def force_signature(self, org: Organisation, member: BoardMember | None, *, at: datetime | None = None,
                        expires_at: datetime | None = None) -> DeclarationSignature:
        """A signature the declaration service refuses: by someone not (or not recorded as) an
        authorised signatory of this organisation's board."""
        text = self.declaration_text()
        at = at or self.now - timedelta(days=10)
        signature = DeclarationSignature(
            organisation_id=org.id, text_id=text.id, signed_by_id=self._clerk().id,
            signatory_board_member_id=member.id if member else None,
            signatory_name=member.name if member else "Någon Annan", signed_at=at,
            expires_at=expires_at or organisation_services.add_months(at, 12))
        self.session.add(signature)
        self.session.commit()
        return signature

    def _clerk(self) -> User:
        if "_clerk_user" not in self.__dict__:
            self._clerk_user = self.user(name="Registrator")
        return self._clerk_user

    # ------------------------------------------------------------------ eligibility

    @_built
    def rule_set(self) -> RuleSet:
        """The default rule set (version 1), as a new deployment publishes it."""
        return eligibility_services.ensure_default_rule_set(self.session, self.now)

    def force_empty_rule_set(self, validity_days: int = 30) -> RuleSet:
        """A published rule set without rules, which publish_rule_set refuses: every screening is
        then eligible, so tests of the grant rules are not also tests of the eligibility rules."""
        latest = self.session.scalar(select(func.max(RuleSet.version))) or 0
        rule_set = RuleSet(version=latest + 1, name=f"Regler v{latest + 1}", rules=[], validity_days=validity_days,
                           published_at=self.now, created_at=self.now)
        self.session.add(rule_set)
        self.session.commit()
        return rule_set

    @_built
    def finding(self, org: Organisation, *, by: User | None = None, conduct_on: date | None = None,
                category: str = "violence", evidence: str = "Tal.", confirm: bool | None = None,
                reason: str = "Bedömd.", assessor: User | None = None, at: datetime | None = None,
                committee: Committee | None = None):
        """A finding reported (by a new coordinator unless `by`), then confirmed or dismissed when
        `confirm` is given. Returns the finding."""
        at = at or self.now
        by = by or self.coordinator()
        finding = eligibility_services.report_finding(
            self.session, organisation=org, conduct_on=conduct_on or at.date(), category=category,
            actor_kind="organisation", actor_name="", source_category="media", evidence=evidence, by=by,
            reporting_committee_id=committee.id if committee else None, now=at)
        self.session.flush()
        if confirm is not None:
            eligibility_services.assess_finding(self.session, finding, confirm=confirm, reason=reason,
                                                by=assessor or (by if by.is_coordinator else self.coordinator()),
                                                now=at)
        return finding

    # ------------------------------------------------------------------ programmes and applications

    @_built
    def programme(self, committee: Committee, *, title: str | None = None, area: str = "targeted",
                  budget: int = 100_000_00, max_per_grant: int = 50_000_00, opens_on: date | None = None,
                  closes_on: date | None = None, districts=("Rinkeby-Kista",), target_groups=("unga",),
                  description: str = "Förebyggande arbete", published: bool = True, by: User | None = None,
                  criteria=None) -> Programme:
        """A programme created (and published) by an officer of the committee: open from ten days
        ago for thirty days unless dates are given."""
        by = by or self._officer_of(committee.id)
        criteria = criteria or [grants_services.CriterionInput("Relevans", 2),
                                grants_services.CriterionInput("Genomförbarhet", 1)]
        programme = grants_services.create_programme(
            self.session, committee_id=committee.id, by=by, now=self.now, criteria=criteria,
            values={"title": title or f"Utlysning {next(_counter)}", "description": description, "action_area": area,
                    "target_groups": list(target_groups), "districts": list(districts), "budget": budget,
                    "max_per_grant": max_per_grant, "opens_on": opens_on or self.now.date() - timedelta(days=10),
                    "closes_on": closes_on or self.now.date() + timedelta(days=30),
                    "reporting_rhythm": "interim_final"})
        if published:
            grants_services.publish_programme(self.session, programme, by=by, now=self.now)
        return programme

    @_built
    def application(self, programme: Programme, organisation: Organisation, applicant: User | None = None, *,
                    title: str = "Samtalsgrupper för unga", aims: str = "Minska rekrytering",
                    activities: str = "Samtal varje vecka", method: str = "Mentorskap",
                    target_group: str = "Unga 15–20", participants=None,
                    period=(date(2026, 4, 1), date(2026, 12, 31)), requested: int = 40_000_00, budget_lines=None,
                    partners: str = "Fritidsgården", steps: int = 5, submit: bool = False,
                    at: datetime | None = None) -> Application:
        """An application started by a representative (the first unless given) and filled in step by
        step up to `steps`, at `at` (now); submitted (and so screened) with `submit`."""
        at = at or self.now
        applicant = applicant or organisation.representatives[0].user
        s = self.session
        app = grants_services.start_application(s, programme=programme, organisation=organisation, by=applicant,
                                                now=at)
        participants = participants or {"women": {"0-17": 10}, "men": {"0-17": 12}, "other": {"18-25": 1}}
        budget_lines = budget_lines or [grants_services.BudgetLineInput(
            "Personal", requested + 10_000_00, own_funding=5_000_00, other_funding=5_000_00)]
        values = [
            {"title": title},
            {"aims": aims, "activities": activities, "method": method, "target_group": target_group},
            participants,
            {"period_start": period[0], "period_end": period[1], "requested_amount": requested,
             "budget_lines": budget_lines},
            {"partners": partners},
        ]
        for step, step_values in enumerate(values[:steps], start=1):
            grants_services.save_step(s, app, step, step_values, by=applicant, now=at)
        if submit:
            grants_services.submit_application(s, app, by=applicant, now=at)
        return app

    @_built
    def submit(self, application: Application, at: datetime | None = None) -> Application:
        applicant = application.organisation.representatives[0].user
        return grants_services.submit_application(self.session, application, by=applicant, now=at or self.now)

    @_built
    def set_application_status(self, application: Application, status: str, at: datetime | None = None) -> Application:
        """Move a filled-in draft to `status` the way people do: submit, assign a reviewer, return,
        withdraw. (Ineligible only comes from a withdrawal of support: force_application_status.)"""
        at = at or self.now
        officer = self._officer_of(application.programme.committee_id)
        applicant = application.organisation.representatives[0].user
        if status == ApplicationStatus.DRAFT.value:
            return application
        if status == ApplicationStatus.WITHDRAWN.value:
            return grants_services.withdraw_application(self.session, application, by=applicant, now=at)
        grants_services.submit_application(self.session, application, by=applicant, now=at)
        if status == ApplicationStatus.IN_REVIEW.value:
            grants_services.assign_reviewer(self.session, application, reviewer=officer, by=officer, now=at)
        elif status == ApplicationStatus.RETURNED.value:
            grants_services.return_for_completion(self.session, application, message="Komplettera budgeten.",
                                                  by=officer, now=at)
        elif status != ApplicationStatus.SUBMITTED.value:
            raise ValueError(f"no service path to the status {status!r}")
        return application

    def force_application_status(self, application: Application, status: str) -> Application:
        """A status set by hand: "closed_ineligible" without a withdrawal of support behind it."""
        application.status = status
        self.session.commit()
        return application

    def force_application_terms(self, application: Application, *, requested: int | None = None,
                                period: tuple | None = None) -> Application:
        """Terms the draft service refuses (more than the maximum per grant, no period), for tests of
        the eligibility rule that must catch them all the same."""
        if requested is not None:
            application.requested_amount = requested
        if period is not None:
            application.period_start, application.period_end = period
        self.session.commit()
        return application

    @_built
    def review(self, application: Application, reviewer: User | None = None, *, score: int = 4,
               recommendation: str = "approve", conflict: bool = False, at: datetime | None = None) -> Review:
        """A reviewer (an officer of the committee) assigned, declaring no conflict, scoring every criterion."""
        at = at or self.now
        reviewer = reviewer or self._officer_of(application.programme.committee_id)
        review = grants_services.assign_reviewer(self.session, application, reviewer=reviewer, by=reviewer, now=at)
        grants_services.declare_conflict(self.session, review, has_conflict=conflict,
                                         reason="Jäv." if conflict else "", by=reviewer, now=at)
        if not conflict:
            grants_services.submit_review(
                self.session, review, scores={c.id: (score, "") for c in application.programme.criteria},
                recommendation=recommendation, comment="", by=reviewer, now=at)
        return review

    @_built
    def plan(self, application: Application, officer: User | None = None, *, indicators=None, milestones=None,
             evaluation_dates=None, at: datetime | None = None):
        """A follow-up plan saved by an officer. By default complete: one indicator, an interim report
        halfway, a final report a month after the period, an evaluation a month after that."""
        officer = officer or self._officer_of(application.programme.committee_id)
        start, end = application.period_start, application.period_end
        indicators = indicators if indicators is not None else [grants_services.IndicatorInput(
            "Färre unga rekryteras", "Deltagare som fullföljer", "personer", Decimal("0"), Decimal("20"), True)]
        if milestones is None:
            milestones = [grants_services.MilestoneInput("interim", start + (end - start) / 2),
                          grants_services.MilestoneInput("final", end + timedelta(days=31))]
        if evaluation_dates is None:
            evaluation_dates = [end + timedelta(days=60)]
        return grants_services.save_plan(
            self.session, application, responsible_officer_id=officer.id, indicators=list(indicators),
            milestones=list(milestones), evaluation_dates=list(evaluation_dates), by=officer, now=at or self.now)

    # ------------------------------------------------------------------ decisions and grants

    @_built
    def eligible_screening(self, application: Application, officer: User | None = None,
                           at: datetime | None = None) -> Screening:
        """Screen the application as an officer does before a decision (publishing the default rule
        set if none is), answering each "needs assessment" with pass and a reason. Raises if a rule
        fails: the services refuse money to that organisation (see force_eligible_screening)."""
        at = at or self.now
        officer = officer or self._officer_of(application.programme.committee_id)
        if self.session.scalar(select(func.count(RuleSet.id))) == 0:
            self.rule_set()
        screening = grants_services.run_screening(self.session, application, by=officer, now=at)
        for result in screening.results:
            if result.outcome == RuleOutcome.NEEDS_ASSESSMENT.value:
                eligibility_services.resolve_result(self.session, result, outcome="pass",
                                                    reason="Bedömd av handläggaren.", by=officer, now=at)
        if not screening.is_eligible:
            failed = [r.rule_id for r in screening.results if r.effective_outcome == RuleOutcome.FAIL.value]
            raise ValueError(f"the organisation is not eligible ({', '.join(failed)}): the services refuse it money")
        return screening

    def force_eligible_screening(self, application: Application, at: datetime | None = None) -> Screening:
        """An eligible screening written by hand, with no rule results: for tests that need a grant
        for an organisation the rules would refuse (a confirmed finding, a long overdue report).
        The decision itself still goes through decide()."""
        at = at or self.now
        rule_set = self.session.scalar(select(RuleSet).order_by(RuleSet.version.desc()).limit(1))
        if rule_set is None:
            rule_set = self.rule_set()
        screening = Screening(organisation_id=application.organisation_id, application_id=application.id,
                              rule_set_id=rule_set.id, trigger="manual", run_at=at,
                              outcome=ScreeningOutcome.ELIGIBLE.value, results=[])
        self.session.add(screening)
        self.session.flush()
        return screening

    @_built
    def decide(self, application: Application, decider: User | None = None, *, outcome: str = "approve",
               amount: int | None = None, tranches=None, reasons: str = "Bra ansökan.", at: datetime | None = None):
        """grants.services.decide, the only way a decision happens."""
        decider = decider or self._staff_of(application.programme.committee_id, Role.DECISION_MAKER)
        return grants_services.decide(
            self.session, application, outcome=outcome, amount=amount, reasons=reasons, conditions="",
            tranches=tranches, expected_version=application.version, by=decider, now=at or self.now)

    @_built
    def grant(self, *, committee: Committee | None = None, organisation: Organisation | None = None,
              representative: User | None = None, officer: User | None = None, decider: User | None = None,
              programme: Programme | None = None, period=(date(2026, 4, 1), date(2026, 12, 31)),
              requested: int = 40_000_00, amount: int | None = None, tranches=None, indicators=None,
              milestones=None, evaluation_dates=None, at: datetime | None = None,
              force_eligible: bool = False, **application) -> Grant:
        """A grant as it really comes about: an application filled in and submitted while the
        programme was open, a follow-up plan, a screening, and an approving decision at `at` (now).
        `tranches`: TrancheInput list (default: one tranche of the whole amount). `force_eligible`
        replaces the screening by force_eligible_screening (name the reason in the test)."""
        at = at or self.now
        committee = committee or (programme.committee if programme else self.committee())
        officer = officer or self._officer_of(committee.id)
        organisation = organisation or self.organisation(representative=representative)
        representative = representative or organisation.representatives[0].user
        if programme is None:
            applied = at - timedelta(days=30)
            programme = self.programme(committee, opens_on=applied.date() - timedelta(days=10),
                                       closes_on=applied.date() + timedelta(days=10), budget=max(100_000_00, requested),
                                       max_per_grant=max(50_000_00, requested))
        app = self.application(programme, organisation, representative, period=period, requested=requested,
                               submit=True, at=self._applied_at(programme, at), **application)
        self.plan(app, officer, indicators=indicators, milestones=milestones, evaluation_dates=evaluation_dates, at=at)
        if force_eligible:
            self.force_eligible_screening(app, at)
        else:
            self.eligible_screening(app, officer, at)
        decision = self.decide(app, decider, amount=amount,
                               outcome="approve" if amount in (None, requested) else "partly_approve",
                               tranches=tranches, at=at)
        return self.session.scalar(select(Grant).where(Grant.decision_id == decision.id))

    @staticmethod
    def _applied_at(programme: Programme, decided: datetime) -> datetime:
        """When to apply for a decision at `decided`: the last day the programme was open, at most
        the decision's day (at midnight, so before the decision)."""
        day = min(programme.closes_on, decided.date())
        if day < programme.opens_on:
            raise ValueError("the programme opens after the decision")
        return min(datetime.combine(day, time(0, 0)), decided - timedelta(minutes=1))

    def tranche_input(self, due_on: date, amount: int, milestone_id: int | None = None):
        return grants_services.TrancheInput(due_on=due_on, amount=amount,
                                            condition="milestone_approved" if milestone_id else "none",
                                            milestone_id=milestone_id)

    @_built
    def release(self, tranche: Tranche, at: datetime | None = None, by: User | None = None) -> Tranche:
        return payments.release_tranche(self.session, tranche, by=by or self._officer_of(tranche.grant.committee_id),
                                        now=at or self.now)

    @_built
    def pay(self, tranche: Tranche, at: datetime | None = None, by: User | None = None) -> Tranche:
        """Released (if still scheduled) and marked paid at `at`."""
        if tranche.status == TrancheStatus.SCHEDULED.value:
            self.release(tranche, at, by)
        return payments.mark_tranche_paid(self.session, tranche, by=by or self._officer_of(tranche.grant.committee_id),
                                          now=at or self.now)

    @_built
    def cancel(self, tranche: Tranche, at: datetime | None = None, by: User | None = None) -> Tranche:
        return payments.cancel_tranche(self.session, tranche, by=by or self._officer_of(tranche.grant.committee_id),
                                       now=at or self.now)

    @_built
    def withdraw_grant(self, grant: Grant, reason: str = "Indraget.", at: datetime | None = None) -> Grant:
        """grants.withdrawal.end_grant, as a withdrawal of support ends a grant."""
        end_grant(self.session, grant, reason=reason, actor=None, now=at or self.now)
        return grant

    def force_grant_status(self, grant: Grant, status: str, reason: str | None = None) -> Grant:
        """A grant completed (or otherwise ended) by hand: the services complete a grant only when
        every report is approved after its period, which these tests do not build."""
        grant.status = status
        grant.ended_at = self.now
        grant.end_reason = reason
        self.session.commit()
        return grant

    def force_milestone(self, grant: Grant, due_on: date, kind: str = "interim",
                        approved_at: datetime | None = None) -> Milestone:
        """A milestone added to a decided grant's plan (save_plan refuses after the decision), and
        approved at `approved_at` without a report (approve_report needs one)."""
        plan = grant.application.plan
        milestone = Milestone(plan_id=plan.id, kind=kind, due_on=due_on, report_approved_at=approved_at)
        self.session.add(milestone)
        self.session.commit()
        return milestone

    def force_plan_dates(self, grant: Grant, milestones=None, evaluation_dates=None):
        """Replace a decided grant's report milestones and evaluation dates by hand, for plans the
        decision refuses as incomplete (no final report, no evaluation)."""
        from grants.models import EvaluationPoint

        plan = grant.application.plan
        if milestones is not None:
            plan.milestones = [Milestone(kind=str(getattr(k, "value", k)), due_on=d) for k, d in milestones]
        if evaluation_dates is not None:
            plan.evaluation_points = [EvaluationPoint(due_on=d, description="") for d in evaluation_dates]
        self.session.commit()
        return plan

    # ------------------------------------------------------------------ follow-up

    @_built
    def report(self, grant: Grant, milestone: Milestone | None = None, *, submit: bool = True, approve: bool = False,
               participants=None, indicator_value: str = "11", activities: str = "Tolv träffar.",
               at: datetime | None = None, approved_at: datetime | None = None) -> GranteeReport:
        """A report saved (and submitted) by a representative at `at`, approved by an officer at
        `approved_at` with `approve`."""
        from monitoring.queries import plan_for_grant

        plan = plan_for_grant(self.session, grant)
        milestone = milestone or plan.milestones[0]
        participants = participants or {"women": {"18-25": 6}, "men": {"18-25": 5}}
        values = {}
        for indicator in plan.indicators:
            total = int(indicator_value)
            values[indicator.id] = {"value": indicator_value}
            if indicator.by_gender:
                values[indicator.id].update(women=str(total - total // 2), men=str(total // 2), other="0")
        data = report_services.ReportInput(activities=activities, participants=participants, indicators=values)
        report = report_services.save_report(self.session, grant, milestone, data,
                                             by=grant.organisation.representatives[0].user, now=at or self.now,
                                             submit=submit or approve)
        if approve:
            report_services.approve_report(self.session, report, by=self._officer_of(grant.committee_id),
                                           now=approved_at or at or self.now)
        return report

    def force_evaluation(self, grant: Grant, *, rating: int | None, share: str | None, status: str = "completed",
                         due_on: date | None = None) -> Evaluation:
        """An evaluation with a given rating and attainment share on a new evaluation point: the
        services compute the share from approved reports, which the figures tests set apart."""
        from grants.models import EvaluationPoint

        plan = grant.application.plan
        point = EvaluationPoint(plan_id=plan.id, due_on=due_on or grant.period_end, description="")
        self.session.add(point)
        self.session.flush()
        evaluation = Evaluation(grant_id=grant.id, evaluation_point_id=point.id, committee_id=grant.committee_id,
                                status=status, due_on=point.due_on, rating=rating,
                                attainment_share=Decimal(share) if share else None, attainment=[], share=False,
                                created_at=self.now)
        self.session.add(evaluation)
        self.session.commit()
        return evaluation

    def force_experience(self, committee: Committee, title: str, *, rating: int | None = None,
                         at: datetime | None = None, published: bool = True, area: str = "targeted",
                         lessons: str = "", summary: str | None = None) -> Experience:
        """An experience with no grant or evaluation behind it. The experience bank's service only
        shares a completed evaluation, which would add a grant to the figures under test."""
        at = at or self.now
        experience = Experience(title=title, summary=summary or f"Sammanfattning av {title}", lessons=lessons,
                                rating=rating, action_area=area, committee_id=committee.id, published=published,
                                created_at=at, updated_at=at)
        self.session.add(experience)
        self.session.commit()
        return experience

    def force_bulk_grants(self, programmes, orgs, n: int, by: User) -> None:
        """n decided grants (application, decision, a paid tranche, a final milestone, every other one
        with an approved report, a completed evaluation) in a handful of INSERTs, shaped as the
        services write them: through the services a thousand grants would take minutes. For tests
        that the pages' query counts do not grow with the data."""
        from sqlalchemy import insert

        from grants.models import Decision, EvaluationPoint, FollowUpPlan

        now = self.now
        start = (self.session.scalar(select(func.max(Application.id))) or 0) + 1
        ids = range(start, start + n)

        def programme(i):
            return programmes[i % len(programmes)]

        def organisation(i):
            return orgs[i % len(orgs)]

        s = self.session
        s.execute(insert(Application), [
            dict(id=i, organisation_id=organisation(i).id, programme_id=programme(i).id, created_by_id=by.id,
                 title=f"Projekt {i}", status="decided", created_at=now, updated_at=now, version=1, aims="",
                 activities="", method="", target_group="", expected_participants={}, requested_amount=0,
                 partners="", last_step=1) for i in ids])
        s.execute(insert(Decision), [
            dict(id=i, application_id=i, outcome="approve", amount=10_000_00, reasons="", decided_by_id=by.id,
                 decided_at=datetime(2026, 1, 10)) for i in ids])
        s.execute(insert(Grant), [
            dict(id=i, application_id=i, decision_id=i, organisation_id=organisation(i).id,
                 committee_id=programme(i).committee_id, programme_id=programme(i).id, amount=10_000_00,
                 period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                 status=("active", "completed", "withdrawn")[i % 3], created_at=now) for i in ids])
        s.execute(insert(Tranche), [
            dict(grant_id=i, due_on=date(2026, 1, 1), amount=5_000_00, status="paid", condition="none")
            for i in ids])
        s.execute(insert(FollowUpPlan), [dict(id=i, application_id=i, created_at=now, updated_at=now) for i in ids])
        s.execute(insert(Milestone), [dict(id=i, plan_id=i, kind="final", due_on=date(2026, 2, 1)) for i in ids])
        s.execute(insert(GranteeReport), [
            dict(grant_id=i, milestone_id=i, status="approved", submitted_at=datetime(2026, 1, 20), participants={},
                 participants_women=3, participants_men=2, participants_other=0, spent_total=0, activities="",
                 officer_comment="", created_at=now) for i in ids if i % 2])
        s.execute(insert(EvaluationPoint), [dict(id=i, plan_id=i, due_on=date(2026, 12, 31)) for i in ids])
        s.execute(insert(Evaluation), [
            dict(grant_id=i, evaluation_point_id=i, committee_id=programme(i).committee_id, status="completed",
                 due_on=date(2026, 12, 31), rating=1 + i % 5, attainment_share=Decimal("0.750"), attainment=[],
                 what_worked="", what_did_not="", lessons="", share=False, created_at=now) for i in ids])
        s.commit()
