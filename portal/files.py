"""Sending a stored upload back to someone allowed to see it."""
from __future__ import annotations

from pathlib import Path

from flask import abort, send_file


def send_private_file(path: Path, *, mimetype: str, name: str):
    """A download that browsers must not sniff into something else and proxies must not keep:
    uploads are personal or confidential. 404 when the stored file is gone."""
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
