"""In the browser: an organisation applies, an officer prepares the follow-up plan, a decision
maker approves, and the organisation downloads a correct decision letter."""
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eligibility.models import Screening
from grants.models import Application
from portal.demo import DEMO_PASSWORD, run_seeders
from portal.extensions import db

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_app(app, now):
    run_seeders(app, db.session, now)
    return app


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/")


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()


def test_apply_decide_and_download_the_letter(demo_app, page, session):
    log_in(page, "sokande@demo.stad.example")
    page.goto("/programmes")
    page.get_by_role("link", name="Demokrativeckor i Rinkeby-Kista").click()
    page.get_by_role("button", name="Påbörja en ansökan").click()
    page.get_by_label("Projektets titel").fill("Öppna samtal på Järvaveckan")
    page.get_by_role("button", name="Spara och fortsätt").click()
    page.get_by_label("Mål", exact=True).fill("Fler unga röstar")
    page.get_by_label("Aktiviteter", exact=True).fill("Samtal och workshoppar")
    page.get_by_role("button", name="Spara och fortsätt").click()
    page.get_by_label("Kvinnor, ålder 0-17").fill("20")
    page.get_by_role("button", name="Spara och fortsätt").click()
    page.get_by_label("Perioden börjar").fill("2026-04-01")
    page.get_by_label("Perioden slutar").fill("2026-12-31")
    page.get_by_label("Kategori 1", exact=True).fill("Arvoden")
    page.get_by_label("Belopp (kronor) 1", exact=True).fill("90 000")
    page.get_by_label("Sökt belopp (kronor)").fill("75 000,50")
    page.get_by_role("button", name="Spara och fortsätt").click()
    page.get_by_label("Samarbetspartner").fill("Folkets hus")
    page.get_by_role("button", name="Spara och fortsätt").click()
    page.get_by_role("button", name="Skicka in ansökan").click()
    page.get_by_role("heading", name="Kvitto").wait_for()
    application = session.scalar(select(Application).where(Application.title == "Öppna samtal på Järvaveckan"))
    assert application.reference in page.content()
    log_out(page)

    log_in(page, "handlaggare@demo.stad.example")
    page.goto(f"/staff/applications/{application.id}/plan")
    page.get_by_label("Ansvarig handläggare").select_option(label="Hanna Handläggare")
    page.get_by_label("Mål 1", exact=True).fill("Fler unga deltar")
    page.get_by_label("Indikator 1", exact=True).fill("Deltagare")
    page.get_by_label("Enhet 1", exact=True).fill("personer")
    page.get_by_label("Utgångsvärde 1", exact=True).fill("0")
    page.get_by_label("Målvärde 1", exact=True).fill("40")
    page.get_by_label("Redovisning 1", exact=True).select_option("final")
    page.get_by_label("Förfallodag 1", exact=True).fill("2027-01-31")
    page.get_by_label("Datum för utvärdering 1", exact=True).fill("2027-03-01")
    page.get_by_role("button", name="Spara uppföljningsplanen").click()
    page.get_by_text("Uppföljningsplanen är komplett.").wait_for()
    # The default rules leave the democratic structure to the officer: assess each open rule.
    screening = session.scalar(select(Screening).where(Screening.application_id == application.id)
                               .order_by(Screening.id.desc()))
    page.goto(f"/eligibility/screenings/{screening.id}")
    while page.get_by_label("Uppfyllt", exact=True).count():
        page.get_by_label("Uppfyllt", exact=True).first.check()
        page.get_by_label("Skäl", exact=True).first.fill("Stadgarna anger styrelse och årsmöte.")
        page.get_by_role("button", name="Spara bedömningen").first.click()
        page.wait_for_load_state()
    log_out(page)

    log_in(page, "beslutsfattare@demo.stad.example")
    page.goto(f"/staff/applications/{application.id}")
    page.get_by_role("link", name="Besluta").click()
    page.get_by_label("Beslut", exact=True).select_option("approve")
    page.get_by_label("Skäl", exact=True).fill("Väl förankrat i stadsdelen.")
    page.get_by_role("button", name="Fatta beslutet").click()
    page.get_by_text("Beslutet är fattat").wait_for()
    log_out(page)

    log_in(page, "sokande@demo.stad.example")
    page.goto(f"/my/applications/{application.id}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner beslutsbrevet (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    text = " ".join("".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).replace("\xa0", " ").split())
    assert "Beslut om bidrag" in text and "Beviljad" in text and "75 000,50 kr" in text
    assert "Väl förankrat i stadsdelen." in text and "2027-01-31" in text and "laglighetsprövning" in text
