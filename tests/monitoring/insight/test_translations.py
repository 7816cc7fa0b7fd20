from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[3] / "monitoring/insight/translations/sv/LC_MESSAGES/messages.po"


def test_every_insight_message_has_a_swedish_translation():
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    assert len(catalogue) > 50
    assert [m.id for m in catalogue if m.id and not m.string] == []
