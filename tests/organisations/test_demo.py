
from sqlalchemy import func, select

from organisations.declarations import declaration_status
from organisations.models import DeclarationText, Document, Organisation, Representative
from portal.auth.services import find_user_by_email
from organisations.demo import DEMO_ORGANISATIONS, org_number
from portal.demo import run_seeders


def test_the_demo_seeder_adds_a_dozen_organisations_once(app, session, now):
    run_seeders(app, session, now)
    first = session.scalar(select(func.count(Organisation.id)))
    run_seeders(app, session, now)  # idempotent
    organisations = session.scalars(select(Organisation)).all()
    assert len(organisations) == first >= 12  # other packages' seeders may add their own
    assert len({d for o in organisations for d in o.district_names}) >= 5
    assert session.scalar(select(func.count(DeclarationText.id))) == 1
    applicant = find_user_by_email(session, "sokande@demo.stad.example")
    assert session.scalar(select(func.count(Representative.id)).where(Representative.user_id == applicant.id)) >= 3  # grants and monitoring demo data may add more
    # The registry's dozen (other seeders register theirs through the same services, with papers of their own).
    dozen = [o for o in organisations if o.org_number in {org_number(spec[0]) for spec in DEMO_ORGANISATIONS}]
    reasons = [declaration_status(session, o.id, now).reason for o in dozen]
    assert len(dozen) == 12
    assert reasons.count("expired") == 1 and reasons.count("missing") >= 1 and reasons.count("valid") == 10
    assert session.scalar(select(func.count(Document.id)).where(
        Document.organisation_id.in_([o.id for o in dozen]))) == 24
