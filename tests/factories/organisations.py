"""Organisations, their papers and representatives; rule sets and findings."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from flask import current_app

from eligibility import services as eligibility_services
from eligibility.models import RuleSet
from organisations import services as organisation_services
from organisations.models import BoardMember, DeclarationSignature, Organisation
from portal.models import Committee, User
from tests.factories.base import builder, org_number, serial, small_pdf


class OrganisationBuilders:
    @builder
    def declaration_text(self):
        """The current democracy declaration text, publishing the built-in one if there is none."""
        from organisations.declarations import current_text

        return current_text(self.session) or organisation_services.publish_default_declaration_text(
            self.session, now=self.now)

    @builder
    def new_declaration_version(self):
        """A new version of the declaration text: every organisation must sign again."""
        from organisations.declarations import current_text

        version = (current_text(self.session).version if current_text(self.session) else 0) + 1
        return organisation_services.publish_declaration_text(
            self.session, text_sv=f"Vi står bakom demokratin (version {version}).",
            text_en=f"We stand by democracy (version {version}).", by=None, now=self.now)

    @builder
    def organisation(self, name: str | None = None, *, representative: User | None = None,
                     districts=("Rinkeby-Kista",), number: str | None = None, email: str = "", city: str = "",
                     legal_form: str = "non_profit_association", board=None, signed: bool = True,
                     statutes: bool = True, papers_at: datetime | None = None, **profile) -> Organisation:
        """Registered through organisations.services by `representative` (a new applicant unless
        given), with a board whose chair signs for it. With `signed` the chair signs the
        declaration, with `statutes` the statutes are uploaded, both at `papers_at` (30 days ago)."""
        n = serial()
        representative = representative or self.applicant()
        board = board or [organisation_services.BoardRow("Ada Ordförande", "Ordförande", True),
                          organisation_services.BoardRow("Bo Kassör", "Kassör", False)]
        data = organisation_services.ProfileData(name=name or f"Förening {n}", legal_form=legal_form, email=email,
                                                 city=city, districts=list(districts) or ["Rinkeby-Kista"],
                                                 board=list(board), **profile)
        result = organisation_services.register_organisation(
            self.session, by=representative, org_number=number or org_number(), data=data,
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

    @builder
    def representative(self, org: Organisation, user: User | None = None, **kwargs) -> User:
        """Another representative: the user asks to join and a representative approves."""
        user = user or self.applicant(**kwargs)
        join = organisation_services.request_to_join(self.session, by=user, organisation=org, now=self.now,
                                                     base_url="http://localhost")
        approver = org.representatives[0].user
        organisation_services.decide_join_request(self.session, join, approve=True, by=approver, now=self.now)
        return user

    @builder
    def board_member(self, org: Organisation, name: str, role: str = "Ledamot",
                     authorised: bool = False) -> BoardMember:
        """Add a board member through the profile service (which insists the board keeps a signatory)."""
        rows = [organisation_services.BoardRow(b.name, b.role, b.authorised_signatory) for b in org.board_members]
        rows.append(organisation_services.BoardRow(name, role, authorised))
        data = organisation_services.ProfileData(
            **{k: getattr(org, k) for k in ("name", "legal_form", "street_address", "postal_code", "city",
                                             "contact_name", "email", "phone", "website", "payment_account_type",
                                             "payment_account", "founding_year", "members_women", "members_men",
                                             "members_other")},
            districts=org.district_names, board=rows)
        organisation_services.update_profile(self.session, org, by=org.representatives[0].user, data=data,
                                             allowed_districts=org.district_names, now=self.now)
        self.session.flush()
        return next(b for b in org.board_members if b.name == name)

    @builder
    def statutes(self, org: Organisation, at: datetime | None = None, name: str = "stadgar.pdf"):
        """The organisation's statutes, uploaded by a representative at `at` (now)."""
        return organisation_services.upload_document(
            self.session, org, by=org.representatives[0].user, kind="statutes", stream=io.BytesIO(small_pdf()),
            original_name=name, year=None, now=at or self.now, upload_dir=current_app.config["UPLOAD_DIR"],
            max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)

    @builder
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
            self.session, org, by=signer or org.representatives[0].user, board_member_id=member.id, confirmed=True,
            now=at or self.now, valid_months=months)

    def set_consent(self, org: Organisation, consents: bool = True) -> None:
        """Consent to be named in the experience bank. By hand: no service records it yet."""
        org.consents_to_name_in_experiences = consents
        self.session.commit()

    @builder
    def rule_set(self) -> RuleSet:
        """The default rule set (version 1), as a new deployment publishes it."""
        return eligibility_services.ensure_default_rule_set(self.session, self.now)

    @builder
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
