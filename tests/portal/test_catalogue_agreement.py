"""The packages' Swedish catalogues are merged into one at runtime (portal/__init__.py), so a msgid
that two catalogues translate differently shows whichever package loads last, on every page.
The same English text in the same context must therefore have the same Swedish everywhere;
where the meaning differs (a verb and a status, one grant and a count of grants), the code gives
it a context with pgettext."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import gettext, pgettext

ROOT = Path(__file__).resolve().parents[2]


def _catalogues() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/translations/sv/LC_MESSAGES/messages.po")
                  if ".venv" not in p.relative_to(ROOT).parts)


def _package(path: Path) -> str:
    return path.relative_to(ROOT).parents[3].as_posix()  # <package>/translations/sv/LC_MESSAGES/messages.po


def test_every_package_catalogue_is_read():
    from tools.extract_messages import PACKAGES

    assert sorted(_package(p) for p in _catalogues()) == sorted(PACKAGES)


def test_no_english_text_has_two_swedish_translations():
    translations: dict[tuple, dict[str, object]] = defaultdict(dict)
    for path in _catalogues():
        with path.open("rb") as f:
            catalogue = read_po(f)
        for message in catalogue:  # obsolete (#~) entries are not iterated and never compiled
            string = message.string if isinstance(message.string, str) else tuple(message.string)
            if message.id and any([string] if isinstance(string, str) else string):  # empty: not compiled
                key = (message.context, message.id if isinstance(message.id, str) else tuple(message.id))
                translations[key][_package(path)] = string
    clashes = [
        f"{'[' + context + '] ' if context else ''}{msgid!r}: "
        + "; ".join(f"{package} {string!r}" for package, string in sorted(by_package.items()))
        for (context, msgid), by_package in sorted(translations.items(), key=lambda kv: (kv[0][0] or "", str(kv[0][1])))
        if len(set(by_package.values())) > 1
    ]
    assert clashes == [], "the same msgid is translated differently:\n" + "\n".join(clashes)


def test_a_context_keeps_a_word_apart_after_the_catalogues_are_merged(app):
    with app.test_request_context("/"):
        assert gettext("Active") == "Aktiv"  # a user, an organisation, a token
        assert pgettext("grant status", "Active") == "Pågående"
        assert gettext("Approve") == "Godkänn"
        assert pgettext("grant decision", "Approve") == "Bevilja"


def test_an_active_user_reads_aktiv_in_the_user_list_not_the_word_for_a_running_grant(client, login_as):
    from portal.models import Role

    login_as(Role.ADMIN)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<td>Aktiv</td>" in page and "Pågående" not in page
