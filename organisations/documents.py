"""Uploaded files: checked by content (not by name), stored once per content hash outside the
web root, written to a temporary file first so an interrupted upload leaves nothing behind."""
from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
import zlib
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
from portal.files import DOCX, JPEG, ODP, ODS, ODT, PDF, PNG, PPTX, XLSX
from portal.models import User

ODF_TYPES = {ODT, ODS, ODP}
OOXML_TYPES = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}

# Office documents are zip archives. They are judged from the archive's directory alone, never by
# unpacking a member, so a small file that would expand to gigabytes (a zip bomb) costs nothing to
# refuse. The limits are far above any real document (a long report is a few hundred members and
# some tens of MB unpacked; XML packs ten to fifty times, zeros a thousand times).
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_DIRECTORY_BYTES = 1024 * 1024
MAX_ZIP_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_RATIO = 200  # unpacked / packed, for members over RATIO_CHECKED_FROM
RATIO_CHECKED_FROM = 1024 * 1024
MIMETYPE_MEMBER_BYTES = 100  # an ODF 'mimetype' member is one short line
_ZIP_ERRORS = (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, RuntimeError, NotImplementedError,
               zlib.error)


class UploadRefused(DomainError):
    pass


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime_type: str


def _refuse_bomb() -> UploadRefused:
    return UploadRefused(_("The document would unpack to an unreasonable size. Save it again or send it as PDF."),
                         field="file")


def _check_directory_size(path: Path) -> bool:
    """From the end record alone (a few bytes at the end of the file): is the archive's directory
    small enough to read? zipfile builds an object per member, so a directory of a million tiny
    entries must be refused before ZipFile() reads it. False when there is no end record."""
    with open(path, "rb") as fp:
        end = zipfile._EndRecData(fp)  # the standard library's own reader of that record
    if end is None:
        return False
    if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_ZIP_MEMBERS or end[zipfile._ECD_SIZE] > MAX_ZIP_DIRECTORY_BYTES:
        raise _refuse_bomb()
    return True


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    """The members' declared sizes, from the directory: refused when they add up to too much or one
    packs implausibly tight. Nothing is unpacked; a member that lies about its size is never read
    past MIMETYPE_MEMBER_BYTES, so the lie gains nothing."""
    if sum(m.file_size for m in members) > MAX_ZIP_UNPACKED_BYTES:
        raise _refuse_bomb()
    for member in members:
        if member.file_size > RATIO_CHECKED_FROM and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1):
            raise _refuse_bomb()


def _zip_document_type(path: Path) -> str | None:
    """The type of an OpenDocument or OOXML file, read from the archive's directory and at most
    MIMETYPE_MEMBER_BYTES of one member. Raises UploadRefused for an archive too large to open."""
    if not _check_directory_size(path):
        return None
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        _check_members(members)
        names = {m.filename for m in members}
        if "mimetype" in names:  # ODF keeps its type in a 'mimetype' member
            with archive.open("mimetype") as member:
                declared = member.read(MIMETYPE_MEMBER_BYTES).decode("ascii", "replace").strip()
            return declared if declared in ODF_TYPES else None
        if "[Content_Types].xml" in names:
            for prefix, mime in OOXML_TYPES.items():
                if any(n.startswith(prefix) for n in names):
                    return mime
    return None


def sniff_mime_type(path: Path) -> str | None:
    """The file's real type from its bytes, or None if it is not one we accept. Reads the first
    bytes (filetype reads 8 KB) and, for a zip, its directory: never the whole file into memory."""
    kind = filetype.guess(str(path))
    if kind is not None and kind.mime in (PDF, PNG, JPEG):
        return kind.mime
    try:
        return _zip_document_type(path)
    except _ZIP_ERRORS:
        return None


def store_file(stream: BinaryIO, upload_dir: str, max_bytes: int) -> StoredFile:
    """Copy the upload to a temporary file in 64 KB chunks while hashing it, refusing it as soon as
    it passes max_bytes (never reading it whole), check its type, then move it into place under its
    hash. On any failure the temporary file is removed."""
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
