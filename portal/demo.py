"""Demo data. Each package registers a seeder; `flask demo seed` runs them lowest layer
first. Every seeder is idempotent: it looks rows up by natural key before creating them, and
makes its decisions, grants and payments through the same services as users (moving `now` for
a history in the past), so demo data obeys the same rules. Never in production: the demo's
accounts share one published password."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.admin.services import create_committee, create_user, grant_role
from portal.auth.services import find_user_by_email
from portal.districts import CITY_DISTRICTS
from portal.models import Committee, CommitteeKind, Role

Seeder = Callable[[Session, datetime], None]

DEMO_PASSWORD = "demo-losenord-2026"

# Stockholm's district committees in 2016, one per district.
DISTRICT_COMMITTEES = list(CITY_DISTRICTS)
DISTRICT_COMMITTEE_NAMES = [f"{d} stadsdelsnämnd" for d in DISTRICT_COMMITTEES]
SPECIALIST_COMMITTEES = [
    "Socialnämnden", "Utbildningsnämnden", "Arbetsmarknadsnämnden", "Kulturnämnden",
]
EXECUTIVE_BOARD = "Kommunstyrelsen"

# (e-mail, name, role, committee name or None)
DEMO_USERS = [
    ("admin@demo.stad.example", "Alva Admin", Role.ADMIN, None),
    ("samordnare@demo.stad.example", "Sam Samordnare", Role.COORDINATOR, None),
    ("handlaggare@demo.stad.example", "Hanna Handläggare", Role.OFFICER, "Rinkeby-Kista stadsdelsnämnd"),
    ("beslutsfattare@demo.stad.example", "Bertil Beslutsfattare", Role.DECISION_MAKER, "Rinkeby-Kista stadsdelsnämnd"),
    ("sokande@demo.stad.example", "Selma Sökande", Role.APPLICANT, None),
]


def register_seeder(app: Flask, name: str, seeder: Seeder) -> None:
    app.extensions.setdefault("demo_seeders", []).append((name, seeder))


def committee_by_name(session: Session, name: str) -> Committee | None:
    return session.scalar(select(Committee).where(Committee.name == name))


def seed_portal(session: Session, now: datetime) -> None:
    wanted = (
        [(n, CommitteeKind.DISTRICT) for n in DISTRICT_COMMITTEE_NAMES]
        + [(n, CommitteeKind.SPECIALIST) for n in SPECIALIST_COMMITTEES]
        + [(EXECUTIVE_BOARD, CommitteeKind.EXECUTIVE_BOARD)]
    )
    for name, kind in wanted:
        if committee_by_name(session, name) is None:
            create_committee(session, name=name, kind=kind.value, by=None, now=now)
    for email, name, role, committee_name in DEMO_USERS:
        user = find_user_by_email(session, email)
        if user is None:
            user = create_user(session, email=email, name=name, password=DEMO_PASSWORD, by=None, now=now)
        committee = committee_by_name(session, committee_name) if committee_name else None
        grant_role(session, user, role, committee.id if committee else None, by=None, now=now)


class DemoRefused(RuntimeError):
    """The demo seed was asked to run where it must not."""


def run_seeders(app: Flask, session: Session, now: datetime) -> list[str]:
    if app.config.get("APP_ENV") == "production":
        raise DemoRefused("Refusing to seed demo data: APP_ENV is production. The demo creates accounts with a "
                          "published password and invented organisations, grants and findings; run it only in a "
                          "development or test environment.")
    done = []
    for name, seeder in app.extensions.get("demo_seeders", []):
        seeder(session, now)
        session.commit()
        done.append(name)
    return done
