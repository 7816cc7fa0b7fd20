"""The democracy rules are mandatory (issue 15, point 6): no rule set is published without the
declaration, the findings and the bar-or-notice rules, or with them weakened; the service and the
admin page refuse it beside the rules field, naming what is missing, and publish nothing."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from eligibility import services
from eligibility.models import RuleSet
from eligibility.screening import mandatory_rules
from portal.errors import DomainError
from portal.models import AuditEvent, Role

pytestmark = pytest.mark.usefixtures("rule_set")

DEMOCRACY_RULES = ["declaration_valid", "no_confirmed_finding", "not_barred"]
FULL = [{"id": rule_id} for rule_id in ["org_number_valid", *DEMOCRACY_RULES]]


def _published(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(RuleSet)),
            session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "rule_set.published")))


def test_the_democracy_rules_are_the_declaration_the_findings_and_the_bar():
    assert [r.id for r in mandatory_rules()] == DEMOCRACY_RULES


@pytest.mark.parametrize("left_out", DEMOCRACY_RULES)
def test_a_rule_set_without_a_democracy_rule_is_refused(app, session, factory, now, left_out):
    admin = factory.user(role=Role.ADMIN)
    before = _published(session)
    with app.test_request_context("/"), force_locale("en"), pytest.raises(DomainError) as refused:
        services.publish_rule_set(session, name="Utan", rules=[r for r in FULL if r["id"] != left_out],
                                  validity_days=30, by=admin, now=now)
    assert refused.value.field == "rules"
    assert refused.value.message.startswith("The democracy rules are mandatory in every rule set. Add: ")
    assert f"({left_out})" in refused.value.message
    session.rollback()
    assert _published(session) == before


def test_a_weakened_look_back_is_refused(app, session, factory, now):
    admin = factory.user(role=Role.ADMIN)
    rules = [r if r["id"] != "no_confirmed_finding" else {"id": r["id"], "params": {"lookback_years": 1}}
             for r in FULL]
    with app.test_request_context("/"), force_locale("en"), pytest.raises(DomainError) as refused:
        services.publish_rule_set(session, name="Kortare", rules=rules, validity_days=30, by=admin, now=now)
    assert (refused.value.message, refused.value.field) == (
        "The democracy rule \u201cNo confirmed finding against the organisation or anyone acting for it within the "
        "look-back period.\u201d cannot be weakened: lookback_years must be at least 5.", "rules")


def test_a_rule_set_with_all_democracy_rules_is_published(session, factory, now):
    admin = factory.user(role=Role.ADMIN)
    stricter = [r if r["id"] != "no_confirmed_finding" else {"id": r["id"], "params": {"lookback_years": 10}}
                for r in FULL]
    rule_set = services.publish_rule_set(session, name="Hel", rules=stricter, validity_days=30, by=admin, now=now)
    session.commit()
    assert rule_set.version == 2 and [r["id"] for r in rule_set.rules] == ["org_number_valid", *DEMOCRACY_RULES]


def test_the_page_refuses_a_rule_set_without_the_findings_rule_beside_the_field(client, session, login_as):
    login_as(Role.ADMIN)
    before = _published(session)
    response = client.post("/eligibility/rule-sets/new", data={"name": "Utan", "validity_days": "30",
                                                               "rules": "not_barred\ndeclaration_valid"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("Demokratireglerna är obligatoriska i varje regeluppsättning. Lägg till: Ingen bekräftad iakttagelse "
            "mot organisationen eller någon som företräder den under den senaste perioden. "
            "(no_confirmed_finding)") in page
    assert _published(session) == before


def test_the_pages_mark_the_democracy_rules_as_mandatory(client, login_as):
    login_as(Role.ADMIN)
    form = client.get("/eligibility/rule-sets/new").get_data(as_text=True)
    for rule_id in DEMOCRACY_RULES:
        assert f"<code>{rule_id}</code> <strong>(obligatorisk)</strong>" in form
    assert "<code>org_number_valid</code>:" in form
    listing = client.get("/eligibility/rule-sets").get_data(as_text=True)
    assert "<code>not_barred</code> <strong>(obligatorisk)</strong>" in listing
