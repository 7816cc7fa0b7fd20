from organisations.models import Representative
from portal.models import User
from sqlalchemy import func, select

from grants.models import Application, Grant, Programme
from portal.models import AuditEvent
from tests.conftest import login
from portal.demo import DEMO_PASSWORD


def test_demo_has_programmes_in_all_areas_applications_in_every_state_and_grants(runner, session):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    areas = set(session.scalars(select(Programme.action_area)))
    assert areas == {"general", "targeted", "individual"}
    assert session.scalar(select(func.count(func.distinct(Programme.committee_id)))) >= 3
    states = set(session.scalars(select(Application.status)))
    assert states == {"draft", "submitted", "in_review", "returned", "decided", "withdrawn", "closed_ineligible"}
    grants = session.scalars(select(Grant)).all()
    assert len(grants) >= 2  # the monitoring seeder adds grants of its own
    for grant in grants:
        if not grant.tranches:  # the monitoring seeder's own grants carry no payment plan
            continue
        assert grant.application.plan is not None and sum(t.amount for t in grant.tranches) == grant.amount
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_demo_applicant_sees_their_applications_and_the_officer_the_committees(app, runner, session):
    runner.invoke(args=["demo", "seed"])
    client = app.test_client()
    login(client, "sokande@demo.stad.example", DEMO_PASSWORD)
    assert "Trygghetsvandringar och dialog" in client.get("/my/applications").get_data(as_text=True)
    applicant = session.scalar(select(User).where(User.email == "sokande@demo.stad.example"))
    own = select(Representative.organisation_id).where(Representative.user_id == applicant.id)
    references = [g.application.reference for g in session.scalars(select(Grant).where(Grant.organisation_id.in_(own)))]
    my_grants = client.get("/my/grants").get_data(as_text=True)
    assert references and all(ref in my_grants for ref in references)
    client.post("/logout")
    login(client, "handlaggare@demo.stad.example", DEMO_PASSWORD)
    page = client.get("/staff/applications").get_data(as_text=True)
    assert "Ungas röster i Kista" in page and "Utkast: Samtalscirklar" not in page
