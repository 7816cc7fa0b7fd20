"""Sending a stored upload back to someone allowed to see it, and the file types an upload may be.

The type of a stored file is the one its content check found (organisations.documents), never the
name it was uploaded under: the download carries that type and a name with that type's extension,
so a PDF uploaded as `evil.html` comes back as `evil.pdf`."""
from __future__ import annotations

import os
from pathlib import Path

from flask import abort, send_file

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Every accepted type with its file-name extensions, the usual one first.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",), PNG: (".png",), JPEG: (".jpg", ".jpeg"),
    ODT: (".odt",), ODS: (".ods",), ODP: (".odp",),
    DOCX: (".docx",), XLSX: (".xlsx",), PPTX: (".pptx",),
}
UNKNOWN = "application/octet-stream"


def download_name(name: str, mimetype: str) -> str:
    """The original name, with its extension replaced by the checked type's when it is not one of
    that type's (a type we do not know keeps the name, as it is sent as opaque bytes)."""
    extensions = EXTENSIONS.get(mimetype)
    if not extensions:
        return name
    stem, extension = os.path.splitext(name)
    if extension.lower() in extensions:
        return name
    return (stem or "document") + extensions[0]


def send_private_file(path: Path, *, mimetype: str, name: str):
    """A download that browsers must not sniff into something else and proxies must not keep:
    uploads are personal or confidential. 404 when the stored file is gone."""
    if not path.exists():
        abort(404)
    checked = mimetype if mimetype in EXTENSIONS else UNKNOWN
    response = send_file(path, mimetype=checked, as_attachment=True, download_name=download_name(name, checked),
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
