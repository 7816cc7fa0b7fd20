"""Demo data for the organisation registry: the first declaration text and a dozen invented
organisations in several districts. Idempotent: rows are looked up by natural key first."""
from __future__ import annotations

import io
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import luhn

from organisations import services
from organisations.default_declaration import DECLARATION_EN, DECLARATION_SV  # noqa: F401
from organisations.models import DeclarationSignature, DeclarationText, Organisation
from portal.admin.services import create_user
from portal.auth.services import find_user_by_email
from portal.demo import DEMO_PASSWORD
from portal.models import Role

def org_number(base9: str) -> str:
    return base9 + luhn.calc_check_digit(base9)


def small_pdf(title: str) -> bytes:
    """A real one-page PDF, generated in code."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 770, title)
    pdf.drawString(72, 750, "Exempeldokument för demonstration.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# (9-digit base, name, legal form, districts, city, members w/m/o, chair, treasurer)
DEMO_ORGANISATIONS = [
    ("802430012", "Föreningen Trygga Tensta", "non_profit_association", ["Spånga-Tensta"], 84, 61, 3,
     "Amina Yusuf", "Erik Lind"),
    ("802430021", "Kista Unga Röster", "non_profit_association", ["Rinkeby-Kista"], 120, 98, 6,
     "Samir Haddad", "Lena Berg"),
    ("802430039", "Rinkeby Föräldranätverk", "non_profit_association", ["Rinkeby-Kista", "Spånga-Tensta"], 45, 22, 0,
     "Fatuma Ali", "Johan Ek"),
    ("802430047", "Stiftelsen Vägen Ut", "foundation", ["Södermalm", "Farsta", "Skärholmen"], 0, 0, 0,
     "Maria Holm", "Per Sandberg"),
    ("802430054", "Skärholmens Idrottsallians", "non_profit_association", ["Skärholmen"], 210, 260, 4,
     "Kenan Demir", "Anna Sjö"),
    ("802430062", "Husby Demokrativerkstad", "non_profit_association", ["Rinkeby-Kista"], 33, 29, 2,
     "Leila Karimi", "Olof Strand"),
    ("802430070", "Farsta Kvinnoforum", "non_profit_association", ["Farsta"], 140, 0, 1,
     "Sofia Nyström", "Hodan Warsame"),
    ("802430088", "Bromma Läxhjälp", "non_profit_association", ["Bromma", "Hässelby-Vällingby"], 52, 40, 0,
     "Karin Ahlberg", "David Persson"),
    ("802430096", "Vällingby Kulturhus Ekonomisk Förening", "economic_association", ["Hässelby-Vällingby"], 18, 15, 0,
     "Mats Ekström", "Nadia Rahimi"),
    ("802430104", "Islamiska Församlingen i Skarpnäck", "religious_community", ["Skarpnäck"], 300, 280, 0,
     "Yusuf Osman", "Ahmed Nur"),
    ("802430112", "Enskede Ungdomsråd", "non_profit_association", ["Enskede-Årsta-Vantör"], 64, 70, 5,
     "Elin Wikström", "Omar Jama"),
    ("802430120", "Nätverket Avhopparstöd Stockholm", "other", ["Södermalm", "Norrmalm", "Kungsholmen"], 12, 14, 1,
     "Tove Lindqvist", "Robert Ström"),
]

# Orgs the demo applicant represents; and which signature is expired (index into the list).
APPLICANT_ORGS = (0, 1, 5)
EXPIRED_SIGNATURE = 2
UNSIGNED = (11,)


def ensure_declaration_text(session: Session, now: datetime) -> DeclarationText:
    text = session.scalar(select(DeclarationText).where(DeclarationText.version == 1))
    return text or services.publish_default_declaration_text(session, now=now)


def seed_organisations(session: Session, now: datetime) -> None:
    text = ensure_declaration_text(session, now)
    applicant = find_user_by_email(session, "sokande@demo.stad.example")
    months = current_app.config["DECLARATION_VALID_MONTHS"]
    for index, (base, name, form, districts, women, men, other, chair, treasurer) in enumerate(DEMO_ORGANISATIONS):
        number = org_number(base)
        if session.scalar(select(Organisation.id).where(Organisation.org_number == number)) is not None:
            continue
        slug = f"org{index + 1}"
        if index in APPLICANT_ORGS and applicant is not None:
            representative = applicant
        else:
            email = f"{slug}@demo.stad.example"
            representative = find_user_by_email(session, email) or create_user(
                session, email=email, name=f"Kontakt {name}", password=DEMO_PASSWORD, by=None, now=now,
                roles=[(Role.APPLICANT, None)])
        data = services.ProfileData(
            name=name, legal_form=form, street_address=f"Demogatan {index + 1}", postal_code="16355",
            city="Stockholm", contact_name=chair, email=f"info@{slug}.example", phone=f"08-555 010 {index:02d}",
            website=f"https://{slug}.example", payment_account_type="bankgiro",
            payment_account=_bankgiro(index), founding_year=1985 + index * 3,
            members_women=women, members_men=men, members_other=other, districts=districts,
            board=[services.BoardRow(chair, "Ordförande", True), services.BoardRow(treasurer, "Kassör", True),
                   services.BoardRow(f"Ledamot {index + 1}", "Ledamot", False)])
        organisation = services.register_organisation(
            session, by=representative, org_number=number, data=data,
            allowed_districts=districts, now=now - timedelta(days=400), base_url="").organisation
        if index not in UNSIGNED:
            signed_at = now - timedelta(days=400 if index == EXPIRED_SIGNATURE else 30 + index)
            chair_member = organisation.board_members[0]
            session.add(DeclarationSignature(
                organisation_id=organisation.id, text_id=text.id, signed_by_id=representative.id,
                signatory_board_member_id=chair_member.id, signatory_name=chair_member.name, signed_at=signed_at,
                expires_at=services.add_months(signed_at, months)))
        services.upload_document(
            session, organisation, by=representative, kind="statutes", stream=io.BytesIO(small_pdf(f"Stadgar – {name}")),
            original_name=f"stadgar-{slug}.pdf", year=None, now=now - timedelta(days=390),
            upload_dir=current_app.config["UPLOAD_DIR"], max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
        services.upload_document(
            session, organisation, by=representative, kind="annual_report",
            stream=io.BytesIO(small_pdf(f"Verksamhetsberättelse {now.year - 1} – {name}")),
            original_name=f"verksamhetsberattelse-{now.year - 1}.pdf", year=now.year - 1, now=now - timedelta(days=60),
            upload_dir=current_app.config["UPLOAD_DIR"], max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
        session.flush()


def _bankgiro(index: int) -> str:
    base = f"5050{index:03d}"
    return base + luhn.calc_check_digit(base)
