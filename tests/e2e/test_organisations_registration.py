"""A new person registers an organisation in the browser, as they would for real, and an
officer then finds it in the register."""
import io
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage, Role

pytestmark = pytest.mark.e2e


def build_pdf(path):
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 770, "Stadgar för Föreningen Webbtest")
    pdf.showPage()
    pdf.save()
    path.write_bytes(buffer.getvalue())
    return path


def outbox_link(email, pattern):
    db.session.expire_all()
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_address == email)
                             .order_by(OutboxMessage.id.desc()))
    return re.search(pattern, body).group(1)


def test_a_new_user_registers_an_organisation_signs_and_uploads_and_an_officer_finds_it(
        app, page, factory, tmp_path):
    officer = factory.user(role=Role.OFFICER)
    page.goto("/language/en")
    page.goto("/")
    page.get_by_role("link", name="Register your organisation").click()
    page.get_by_label("Your name").fill("Wilma Webb")
    page.get_by_label("E-mail address").fill("wilma@example.org")
    page.get_by_label("Password", exact=True).fill("ett-langt-losen-1")
    page.get_by_label("Repeat the password").fill("ett-langt-losen-1")
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_text("We have sent an e-mail to wilma@example.org")).to_be_visible()

    page.goto(outbox_link("wilma@example.org", r"http://localhost(/account/confirm/\S+)"))
    expect(page.get_by_text("Your e-mail address is confirmed.")).to_be_visible()
    page.get_by_label("E-mail address").fill("wilma@example.org")
    page.get_by_label("Password").fill("ett-langt-losen-1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Register an organisation").click()

    page.get_by_label("Organisation number").fill("802477-7776")
    page.get_by_label("Name of the organisation").fill("Föreningen Webbtest")
    page.get_by_label("Legal form").select_option("non_profit_association")
    page.get_by_label("Founding year").fill("2001")
    page.get_by_label("Street address").fill("Webbgatan 3")
    page.get_by_label("Postal code").fill("16355")
    page.get_by_label("City").fill("Stockholm")
    page.get_by_label("Spånga-Tensta").check()
    page.get_by_label("Contact person").fill("Wilma Webb")
    page.get_by_label("Payment account").select_option("bankgiro")
    page.get_by_label("Account number").fill("5050-1055")
    page.get_by_label("Members: women").fill("12")
    page.get_by_label("Members: men").fill("9")
    page.get_by_label("Name, row 1").fill("Wilma Webb")
    page.get_by_label("Role on the board, row 1").fill("Ordförande")
    page.get_by_label("Authorised to sign, row 1").check()
    page.get_by_role("button", name="Register the organisation").click()
    expect(page.get_by_role("heading", name="Föreningen Webbtest")).to_be_visible()
    expect(page.get_by_text("802477-7776").first).to_be_visible()

    page.get_by_role("link", name="Sign the democracy declaration").click()
    expect(page.get_by_text("equality between women and men").first).to_be_visible()
    page.get_by_label("I sign as").select_option(label="Wilma Webb (Ordförande)")
    page.get_by_label("I confirm, on behalf of the organisation").check()
    page.get_by_role("button", name="Sign the declaration").click()
    expect(page.get_by_text("The democracy declaration is signed.")).to_be_visible()

    page.get_by_label("Kind of document").select_option("statutes")
    page.get_by_label("File", exact=True).set_input_files(str(build_pdf(tmp_path / "stadgar.pdf")))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="stadgar.pdf")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto("/login")
    page.get_by_label("E-mail address").fill(officer.email)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Organisations").click()
    page.get_by_label("Name or organisation number").fill("Webbtest")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row", name=re.compile("Föreningen Webbtest"))
    expect(row.get_by_text("Valid", exact=True)).to_be_visible()
    row.get_by_role("link", name="Föreningen Webbtest").click()
    expect(page.get_by_role("link", name="stadgar.pdf")).to_be_visible()
