"""Demo data: the default rule set, then one organisation under notice and one barred with history."""
from sqlalchemy import func, select

from eligibility.demo import seed_withdrawal_examples
from eligibility.models import RuleSet, WithdrawalCase
from portal.demo import run_seeders
from portal.extensions import db


def test_demo_has_the_rule_set_and_withdrawal_examples_once(app, session, build, factory, now):
    run_seeders(app, db.session, now)
    assert session.scalar(select(func.count(RuleSet.id))) == 1
    committee = factory.committee()
    orgs = [build.organisation() for _ in range(3)]
    grant = build.grant(orgs[1], committee, tranches=[("scheduled", None)])
    session.commit()
    seed_withdrawal_examples(session, now)
    session.commit()
    seed_withdrawal_examples(session, now)
    run_seeders(app, db.session, now)
    session.commit()
    cases = session.scalars(select(WithdrawalCase).order_by(WithdrawalCase.id)).all()
    assert [c.status for c in cases] == ["withdrawn", "open"]
    assert cases[0].organisation.status == "barred" and cases[0].reply_text
    assert cases[1].organisation.status == "under_notice" and cases[1].reply_deadline > now
    barred_grants = session.scalars(select(type(grant)).where(type(grant).organisation_id == cases[0].organisation_id)).all()
    assert all(g.status != "active" for g in barred_grants)
    assert orgs[2].status == "active"
