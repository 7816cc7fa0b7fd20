"""Hostile uploads (issue 14, point 3): an office document is judged from its zip directory with
bounded reads, so a zip bomb is refused without unpacking it; a download carries the type the
content check found, whatever name the file was uploaded under."""
from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from sqlalchemy import func, select

from organisations import documents
from organisations.models import Document
from portal.files import DOCX, ODT, PDF, download_name
from portal.models import Role
from tests.conftest import login
from tests.factories import small_pdf

MB = 1024 * 1024
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


def _zeros_member(archive: zipfile.ZipFile, name: str, megabytes: int) -> None:
    """A member of `megabytes` MB of zeros, written a megabyte at a time (packs to ~1 KB per MB)."""
    with archive.open(name, "w") as member:
        chunk = bytes(MB)
        for _ in range(megabytes):
            member.write(chunk)


def docx(body_mb: int = 0) -> bytes:
    """A small real OOXML word document; with body_mb, its body is that many MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", b'<?xml version="1.0"?><Relationships/>')
        if body_mb:
            _zeros_member(archive, "word/document.xml", body_mb)
        else:
            archive.writestr("word/document.xml", b'<?xml version="1.0"?><w:document>Stadgar</w:document>')
    return out.getvalue()


def odt_with_bomb_as_mimetype(megabytes: int = 200) -> bytes:
    """An OpenDocument text whose 'mimetype' member, the one member the check reads, is a bomb."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _zeros_member(archive, "mimetype", megabytes)
        archive.writestr("content.xml", b"<office:document-content/>")
    return out.getvalue()


def _store(app, content: bytes):
    return documents.store_file(io.BytesIO(content), app.config["UPLOAD_DIR"], 20 * MB)


def _peak_bytes(call) -> int:
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("bomb", [lambda: docx(body_mb=200), odt_with_bomb_as_mimetype],
                         ids=["docx-body", "odt-mimetype"])
def test_a_zip_bomb_is_refused_from_its_directory_with_little_memory(app, bomb):
    content = bomb()
    assert len(content) < 1 * MB  # a small upload that unpacks to 200 MB

    def check():
        with pytest.raises(documents.UploadRefused) as refused:
            _store(app, content)
        assert refused.value.field == "file"

    assert _peak_bytes(check) < 20 * MB


def test_an_archive_of_too_many_members_is_refused_before_its_directory_is_read(app):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for i in range(documents.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"word/{i}", b"")
    with pytest.raises(documents.UploadRefused):
        _store(app, out.getvalue())


def test_real_small_documents_are_still_accepted(app):
    assert _store(app, docx()).mime_type == DOCX
    assert _store(app, small_pdf("Stadgar")).mime_type == PDF
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODT.encode(), compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>" * 1000, compress_type=zipfile.ZIP_DEFLATED)
    assert _store(app, out.getvalue()).mime_type == ODT


def test_a_zip_bomb_uploaded_on_the_page_gets_a_message_beside_the_file_and_leaves_nothing(
        client, session, factory, make_org):
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    client.get("/language/en")
    response = client.post(f"/organisations/{org.id}/documents", content_type="multipart/form-data",
                           data={"kind": "statutes", "file": (io.BytesIO(docx(body_mb=200)), "stadgar.docx")})
    assert response.status_code == 422
    assert "would unpack to an unreasonable size" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Document.id))) == 0


def test_a_pdf_uploaded_as_html_downloads_as_a_pdf_attachment(client, session, factory, make_org):
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    content = small_pdf("Stadgar")
    response = client.post(f"/organisations/{org.id}/documents", content_type="multipart/form-data",
                           data={"kind": "statutes", "file": (io.BytesIO(content), "evil.html")})
    assert response.status_code == 302
    document = session.scalar(select(Document))
    download = client.get(f"/organisations/{org.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == content
    assert download.mimetype == PDF
    assert download.headers["Content-Disposition"] == "attachment; filename=evil.pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name, mimetype, expected", [
    ("evil.html", PDF, "evil.pdf"),
    ("Stadgar.PDF", PDF, "Stadgar.PDF"),
    ("foto.jpeg", "image/jpeg", "foto.jpeg"),
    ("foto.png", "image/jpeg", "foto.jpg"),
    ("utan-filändelse", DOCX, "utan-filändelse.docx"),
    ("rapport.docx.exe", DOCX, "rapport.docx.docx"),
    ("gammal.bin", "application/x-unknown", "gammal.bin"),
])
def test_the_download_name_carries_the_checked_types_extension(name, mimetype, expected):
    assert download_name(name, mimetype) == expected
