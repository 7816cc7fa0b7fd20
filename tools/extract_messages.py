"""Refresh each package's Swedish message catalogue (English is the source language).

Each package keeps its own catalogue in <package>/translations, so packages can be worked on
apart. Templates under templates/<package>/ belong to that package; the shared layout, macros
and error pages belong to portal. Run with `make extract` (all packages) or
`.venv/bin/python tools/extract_messages.py PACKAGE`, then translate the empty msgstr.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A sub-package with a catalogue of its own is listed as "parent/child" and left out of its parent's.
PACKAGES = ["portal", "organisations", "eligibility", "grants", "monitoring", "monitoring/insight", "portal/api"]
PORTAL_TEMPLATE_DIRS = ["layout.html", "macros", "errors", "portal", "auth", "admin", "pdf"]
# pgettext is a default keyword in Python but spelled out here with lazy_pgettext, so a context
# (msgctxt) is never dropped: catalogues are merged at runtime and contexts keep same-English words apart.
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "pgettext:1c,2", "-k", "lazy_pgettext:1c,2"]
MAPPING = "[python: **.py]\n[jinja2: **.html]\nencoding = utf-8\n[jinja2: **.txt]\nencoding = utf-8\n"


def sources(package: str) -> list[str]:
    paths = [ROOT / package]
    if package == "portal":
        paths += [ROOT / "templates" / p for p in PORTAL_TEMPLATE_DIRS]
    else:
        paths.append(ROOT / "templates" / package.removeprefix("portal/"))  # portal/api: templates/api
    return [str(p) for p in paths if p.exists()]


def main() -> int:
    pybabel = str(Path(sys.executable).parent / "pybabel")
    with tempfile.TemporaryDirectory() as tmp:
        mapping = Path(tmp) / "babel.cfg"
        mapping.write_text(MAPPING)
        wanted = sys.argv[1:] or PACKAGES  # e.g. `python tools/extract_messages.py grants`
        for package in wanted:
            src = sources(package)
            if not src:
                continue
            pot = Path(tmp) / f"{package.replace('/', '_')}.pot"
            children = [p.split("/", 1)[1] for p in PACKAGES if p.startswith(package + "/")]
            ignore = [arg for child in children for arg in ("--ignore-dirs", child)]
            subprocess.run([pybabel, "extract", "-F", str(mapping), *KEYWORDS, *ignore,
                            "--no-location", "--sort-output", "-o", str(pot), *src], check=True, capture_output=True)
            out_dir = ROOT / package / "translations"
            po = out_dir / "sv" / "LC_MESSAGES" / "messages.po"
            if po.exists():
                subprocess.run([pybabel, "update", "--no-fuzzy-matching", "-i", str(pot), "-d",
                                str(out_dir), "-l", "sv"], check=True, capture_output=True)
            else:
                subprocess.run([pybabel, "init", "-i", str(pot), "-d", str(out_dir), "-l", "sv"], check=True, capture_output=True)
            print(f"{package}: {po.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
