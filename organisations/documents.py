"""Uploaded files: checked by content (not by name), stored once per content hash outside the
web root, written to a temporary file first so an interrupted upload leaves nothing behind."""
from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import filetype
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from organisations.models import Document, Organisation
from portal import audit
from portal.errors import DomainError
from portal.models import User

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class UploadRefused(DomainError):
    pass


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime_type: str


def sniff_mime_type(path: Path) -> str | None:
    """The file's real type from its bytes, or None if it is not one we accept."""
    kind = filetype.guess(str(path))
    if kind is not None and kind.mime in (PDF, PNG, JPEG):
        return kind.mime
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:  # ODF keeps its type in a 'mimetype' member
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in ODF_TYPES else None
            if "[Content_Types].xml" in names:
                for prefix, mime in OOXML_TYPES.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def store_file(stream: BinaryIO, upload_dir: str, max_bytes: int) -> StoredFile:
    """Copy the upload to a temporary file while hashing it, check size and type, then move it
    into place under its hash. On any failure the temporary file is removed."""
    root = Path(upload_dir)
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)),
                                        field="file")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRefused(_("The file is empty."), field="file")
        mime = sniff_mime_type(tmp)
        if mime is None:
            raise UploadRefused(_("Only PDF, PNG, JPEG, OpenDocument and Office (OOXML) files are accepted."),
                                field="file")
        sha = digest.hexdigest()
        final = path_for(upload_dir, sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            tmp.unlink()
        else:
            os.replace(tmp, final)
        return StoredFile(sha256=sha, size=size, mime_type=mime)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def path_for(upload_dir: str, sha256: str) -> Path:
    return Path(upload_dir) / sha256[:2] / sha256


def add_document(
    session: Session, *, organisation: Organisation, stream: BinaryIO, original_name: str, kind: str,
    by: User, now: datetime, upload_dir: str, max_bytes: int, year: int | None = None,
) -> Document:
    """Store an upload and record it as the organisation's document, audited."""
    stored = store_file(stream, upload_dir, max_bytes)
    name = os.path.basename((original_name or "").replace("\\", "/"))[:255] or "document"
    document = Document(
        organisation_id=organisation.id, kind=kind, sha256=stored.sha256, size=stored.size,
        mime_type=stored.mime_type, original_name=name, year=year, uploaded_by_id=by.id, uploaded_at=now,
    )
    session.add(document)
    audit.record(session, actor=by, action="document.uploaded", obj=organisation,
                 changes={"kind": kind, "name": name, "size": stored.size}, now=now)
    return document
