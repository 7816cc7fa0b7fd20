from sqlalchemy import func, select

from portal.demo import DEMO_PASSWORD, DEMO_USERS
from portal.models import AuditEvent, Committee, CommitteeKind, Role, User
from tests.conftest import login


def _counts(session):
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Committee, User, AuditEvent))


def test_demo_seed_creates_the_citys_committees_and_one_user_per_role(runner, session):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    kinds = dict(session.execute(select(Committee.kind, func.count()).group_by(Committee.kind)).all())
    assert kinds == {CommitteeKind.DISTRICT.value: 14, CommitteeKind.SPECIALIST.value: 4,
                     CommitteeKind.EXECUTIVE_BOARD.value: 1}
    roles = {g.role for u in session.scalars(select(User)) for g in u.role_grants}
    assert roles == {r.value for r in Role}


def test_demo_seed_twice_changes_nothing(runner, session):
    runner.invoke(args=["demo", "seed"])
    before = _counts(session)
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert _counts(session) == before


def test_every_demo_account_can_log_in_with_the_readme_password(app, runner):
    runner.invoke(args=["demo", "seed"])
    readme = (app.root_path + "/../README.md")
    text = open(readme, encoding="utf-8").read()
    assert DEMO_PASSWORD in text
    for email, *_ in DEMO_USERS:
        assert email in text
        assert login(app.test_client(), email, DEMO_PASSWORD).status_code == 302, email


def test_cli_creates_a_committee_bound_user(runner, session, factory):
    factory.committee("Kulturnämnden")
    result = runner.invoke(args=["users", "create", "--email", "kultur@example.org", "--name", "Kim Kultur",
                                 "--role", "officer", "--committee", "Kulturnämnden",
                                 "--password", "long-enough-1"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "kultur@example.org"))
    committee = session.scalar(select(Committee).where(Committee.name == "Kulturnämnden"))
    assert user.has_committee_role(Role.OFFICER, committee.id)


def test_cli_refuses_an_unknown_committee_and_an_officer_without_one(runner, session):
    result = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A", "--role", "officer",
                                 "--committee", "Ingen sådan", "--password", "long-enough-1"])
    assert result.exit_code != 0 and "No committee named" in result.output
    result = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A", "--role", "officer",
                                 "--password", "long-enough-1"])
    assert result.exit_code != 0
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_seed_refuses_in_production_and_leaves_the_database_untouched(app, runner, session):
    app.config["APP_ENV"] = "production"
    before = _counts(session)
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code != 0
    assert "Refusing to seed demo data: APP_ENV is production." in result.output
    assert _counts(session) == before


def test_every_demo_decision_and_grant_went_through_the_services(runner, session):
    """Each seeded decision has the audit event decide() writes, with its screening, and each grant
    the event of its creation; each paid tranche was released and paid through grants.payments."""
    from grants.models import Decision, Grant, Tranche

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0

    def audited(action, model):
        return set(session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == action)))

    decisions = session.scalars(select(Decision)).all()
    assert len(decisions) >= 15 and {"approve", "partly_approve", "reject"} <= {d.outcome for d in decisions}
    assert {str(d.id) for d in decisions} <= audited("decision.made", Decision)
    assert all(d.screening_id is not None for d in decisions if d.outcome != "reject")
    grants = session.scalars(select(Grant)).all()
    assert {str(g.id) for g in grants} <= audited("grant.created", Grant)
    paid = session.scalars(select(Tranche).where(Tranche.status == "paid")).all()
    assert paid and {str(t.id) for t in paid} <= audited("tranche.paid", Tranche) & audited("tranche.released", Tranche)
