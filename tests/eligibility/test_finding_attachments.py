"""Evidence files of a finding: filed with the report, added later by a coordinator, checked by
content and stored by hash like documents, and opened by coordinators only (issue 5, point 3)."""
from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import select

from eligibility.models import Finding, FindingAttachment
from organisations.demo import small_pdf
from organisations.documents import path_for
from organisations.models import Document
from portal.models import AuditEvent, Role

pytestmark = pytest.mark.usefixtures("rule_set")
EVIDENCE = small_pdf("Skärmdump: ordföranden hyllar våld")


def _report(client, org, files):
    data = {"conduct_on": "2026-02-01", "category": "incitement", "actor_kind": "organisation", "actor_name": "",
            "source_category": "media", "evidence": "Se bifogad skärmdump.",
            "evidence_files": [(BytesIO(content), name) for name, content in files]}
    return client.post(f"/eligibility/organisations/{org.id}/findings/new", data=data,
                       content_type="multipart/form-data")


@pytest.fixture
def reported(client, session, build, factory, login_as, app):
    committee = factory.committee()
    org = build.organisation()
    reporter = login_as(Role.OFFICER, committee)
    assert _report(client, org, [("skarmdump-hemlig.pdf", EVIDENCE)]).status_code == 302
    client.post("/logout")
    finding = session.scalar(select(Finding))

    class R:
        pass

    r = R()
    r.org, r.committee, r.reporter, r.finding = org, committee, reporter, finding
    r.attachment = finding.attachments[0]
    r.url = f"/eligibility/findings/{finding.id}/attachments/{r.attachment.id}"
    return r


def test_evidence_filed_with_the_report_is_stored_by_hash_and_is_no_organisation_document(reported, session, app):
    attachment = reported.attachment
    assert attachment.original_name == "skarmdump-hemlig.pdf" and attachment.mime_type == "application/pdf"
    assert path_for(app.config["UPLOAD_DIR"], attachment.sha256).read_bytes() == EVIDENCE
    # The organisation's own document list never shows the evidence against it.
    assert session.scalar(select(Document).where(Document.organisation_id == reported.org.id,
                                                 Document.kind != "statutes")) is None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "finding.attachment_added"))
    assert event.actor_id == reported.reporter.id and "skarmdump" not in str(event.changes)


def test_only_a_coordinator_can_download_the_evidence(client, reported, login_as):
    login_as(Role.COORDINATOR)
    page = client.get(f"/eligibility/findings/{reported.finding.id}").get_data(as_text=True)
    assert "skarmdump-hemlig.pdf" in page and reported.url in page
    response = client.get(reported.url)
    assert response.status_code == 200 and response.data == EVIDENCE
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_reporting_committee_sees_the_status_but_never_the_evidence(client, reported, factory, login_as):
    from tests.conftest import login

    assert login(client, reported.reporter.email).status_code == 302
    page = client.get(f"/eligibility/organisations/{reported.org.id}").get_data(as_text=True)
    assert "<td>Rapporterad</td>" in page and "skarmdump" not in page
    assert client.get(reported.url).status_code == 403
    client.post("/logout")
    login_as(Role.OFFICER, reported.committee)  # a colleague in the reporting committee
    assert client.get(reported.url).status_code == 403


@pytest.mark.parametrize("role", [Role.OFFICER, Role.DECISION_MAKER, Role.ADMIN])
def test_other_committees_and_admins_cannot_download_the_evidence(client, reported, login_as, role):
    login_as(role)
    assert client.get(reported.url).status_code == 403
    assert client.post(f"/eligibility/findings/{reported.finding.id}/attachments",
                       data={"file": (BytesIO(EVIDENCE), "x.pdf")},
                       content_type="multipart/form-data").status_code == 403


def test_the_organisations_own_representative_cannot_download_the_evidence(client, reported, build):
    from tests.conftest import login

    representative = build.representative(reported.org)
    assert login(client, representative.email).status_code == 302
    assert client.get(reported.url).status_code == 403


def test_a_coordinator_adds_evidence_later_and_a_disguised_file_is_refused(client, reported, login_as, session):
    login_as(Role.COORDINATOR)
    url = f"/eligibility/findings/{reported.finding.id}/attachments"
    response = client.post(url, data={"file": (BytesIO(small_pdf("Polisanmälan")), "polisanmalan.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    response = client.post(url, data={"file": (BytesIO(b"MZ\x90\x00 not a pdf"), "virus.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Endast PDF" in response.get_data(as_text=True)
    names = session.scalars(select(FindingAttachment.original_name).order_by(FindingAttachment.id)).all()
    assert names == ["skarmdump-hemlig.pdf", "polisanmalan.pdf"]


def test_an_attachment_of_another_finding_is_not_found(client, reported, session, build, login_as, now):
    from eligibility import services

    other = services.report_finding(session, organisation=build.organisation(), conduct_on=now.date(),
                                    category="violence", actor_kind="organisation", actor_name="",
                                    source_category="media", evidence="x", by=reported.reporter,
                                    reporting_committee_id=None, now=now)
    session.commit()
    login_as(Role.COORDINATOR)
    assert client.get(f"/eligibility/findings/{other.id}/attachments/{reported.attachment.id}").status_code == 404
