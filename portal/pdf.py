"""HTML templates rendered to PDF with xhtml2pdf.

The font (Bitstream Vera, shipped inside reportlab, which xhtml2pdf depends on) has å, ä, ö.
The link callback lets a template load only the font and the app's own static files: never a
URL or path that a template author, or data inside the document, chose.
"""
from __future__ import annotations

import io
from pathlib import Path

import reportlab
from flask import current_app, render_template
from xhtml2pdf import pisa

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONTS = {"Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf"}


class PdfError(RuntimeError):
    pass


def _link_callback(uri: str, rel: str) -> str:
    static_dir = Path(current_app.static_folder).resolve()
    if uri.startswith("font:") and uri[5:] in FONTS:
        return str(FONT_DIR / uri[5:])
    if uri.startswith("/static/"):
        candidate = (static_dir / uri[len("/static/"):]).resolve()
        if candidate.is_file() and static_dir in candidate.parents:
            return str(candidate)
    raise PdfError(f"refused to load {uri!r} into a PDF")


def render_pdf(template: str, **context) -> bytes:
    html = render_template(template, **context)
    out = io.BytesIO()
    status = pisa.CreatePDF(html, dest=out, link_callback=_link_callback, encoding="utf-8")
    if status.err:
        raise PdfError(f"could not render {template}")
    return out.getvalue()
