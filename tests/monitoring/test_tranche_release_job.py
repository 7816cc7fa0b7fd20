"""The scheduler releases due tranches once, and never to a barred organisation."""
from datetime import date, datetime

from monitoring import scheduler
from organisations.models import OrganisationStatus
from portal.demo import committee_by_name, seed_portal
from tests.monitoring.insight.conftest import World


def _world(session, factory, now):
    seed_portal(session, now)
    world = World(session, factory, now)
    committee = committee_by_name(session, "Rinkeby-Kista stadsdelsnämnd")
    programme = world.programme(committee, "targeted")
    return world, programme


def test_due_tranches_are_released_once_by_the_job(session, factory, now):
    world, programme = _world(session, factory, now)
    grant = world.grant(world.organisation("Föreningen Bron"), programme, 50_000, date(2026, 1, 1),
                        date(2026, 12, 31), scheduled_kr=[50_000])
    session.commit()
    run_for = datetime(2026, 3, 5, 6, 0)
    scheduler.run_job(session, "tranche_release", run_for)
    scheduler.run_job(session, "tranche_release", run_for)
    session.expire_all()
    assert [t.status for t in grant.tranches] == ["released"]
    assert [t.released_at for t in grant.tranches] == [run_for]


def test_the_job_releases_nothing_to_a_barred_organisation(session, factory, now):
    world, programme = _world(session, factory, now)
    organisation = world.organisation("Föreningen Spärrad")
    grant = world.grant(organisation, programme, 50_000, date(2026, 1, 1), date(2026, 12, 31),
                        scheduled_kr=[50_000])
    organisation.status = OrganisationStatus.BARRED.value
    session.commit()
    scheduler.run_job(session, "tranche_release", datetime(2026, 3, 5, 6, 0))
    session.expire_all()
    assert [t.status for t in grant.tranches] == ["scheduled"]


def test_the_job_skips_a_tranche_an_officer_released_while_it_ran(session, factory, now, monkeypatch):
    """The job read the tranche as scheduled, but an officer's transaction released it first: the
    job releases the others, does not release that one again, and does not fail."""
    from sqlalchemy import text

    from grants import payments
    from portal.extensions import db

    world, programme = _world(session, factory, now)
    grant = world.grant(world.organisation("Föreningen Bron"), programme, 50_000, date(2026, 1, 1),
                        date(2026, 12, 31), scheduled_kr=[20_000, 30_000])
    session.commit()
    first, second = sorted(grant.tranches, key=lambda t: t.id)
    read_by_the_job = payments.releasable_tranches

    def officer_releases_first_meanwhile(s, when):
        candidates = read_by_the_job(s, when)
        with db.engine.begin() as other:
            other.execute(text("UPDATE tranche SET status = 'released' WHERE id = :id"), {"id": first.id})
        return candidates

    monkeypatch.setattr(payments, "releasable_tranches", officer_releases_first_meanwhile)
    result = scheduler.run_job(session, "tranche_release", datetime(2026, 3, 5, 6, 0))
    session.expire_all()
    assert [t.status for t in (first, second)] == ["released", "released"]
    assert first.released_at is None and second.released_at == datetime(2026, 3, 5, 6, 0)
    assert result.ok and result.summary == {"released": 1}
