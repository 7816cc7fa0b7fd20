import io
from pathlib import Path

from sqlalchemy import func, select

from organisations.documents import path_for
from organisations.models import Document
from portal.models import Role
from tests.conftest import login
from tests.organisations.conftest import pdf_upload


def _files(app):
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_statutes_upload_and_download_with_the_original_name(app, client, session, factory, make_org, login_as):
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    content, _ = pdf_upload()
    response = client.post(f"/organisations/{org.id}/documents", content_type="multipart/form-data",
                           data={"kind": "statutes", "file": (io.BytesIO(content.getvalue()), "Våra stadgar.pdf")})
    assert response.status_code == 302
    document = session.scalar(select(Document))
    assert document.mime_type == "application/pdf" and document.original_name == "Våra stadgar.pdf"
    assert path_for(app.config["UPLOAD_DIR"], document.sha256).read_bytes() == content.getvalue()
    download = client.get(f"/organisations/{org.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == content.getvalue()
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "stadgar.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Committee staff may download too; another applicant may not.
    client.post("/logout")
    login_as(Role.OFFICER)
    assert client.get(f"/organisations/{org.id}/documents/{document.id}").status_code == 200


def test_a_renamed_executable_is_refused_and_leaves_no_row_and_no_file(app, client, session, factory, make_org):
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    client.get("/language/en")
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    response = client.post(f"/organisations/{org.id}/documents", content_type="multipart/form-data",
                           data={"kind": "statutes", "file": (io.BytesIO(executable), "stadgar.pdf")})
    assert response.status_code == 422
    assert "Only PDF" in response.data.decode()
    assert session.scalar(select(func.count(Document.id))) == 0
    assert _files(app) == []


def test_a_too_large_file_is_refused_and_leaves_nothing(app, client, session, factory, make_org):
    app.config["MAX_UPLOAD_MB"] = 1
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = client.post(f"/organisations/{org.id}/documents", content_type="multipart/form-data",
                           data={"kind": "statutes", "file": (io.BytesIO(big), "stor.pdf")})
    assert response.status_code in (413, 422)
    assert session.scalar(select(func.count(Document.id))) == 0
    assert _files(app) == []


def test_an_upload_interrupted_by_a_database_failure_leaves_no_row(app, client, session, factory, make_org,
                                                                    monkeypatch):
    from portal import audit

    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(audit, "record", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    content, _ = pdf_upload()
    response = client.post(f"/organisations/{org.id}/documents", content_type="multipart/form-data",
                           data={"kind": "statutes", "file": (io.BytesIO(content.getvalue()), "s.pdf")})
    assert response.status_code == 500
    session.rollback()
    assert session.scalar(select(func.count(Document.id))) == 0
