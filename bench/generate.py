"""Fill a migrated database with a city-scale history, through the project's own models.

    .venv/bin/flask --app portal db upgrade
    .venv/bin/python -m bench.generate [--scale 1] [--seed 1] [--organisations 5000 ...]

The database is the app's (DATABASE_URL, or the SQLite file under INSTANCE_PATH). Rows go in
with bulk inserts (`session.execute(insert(Model), rows)`) in batches, with ids chosen here so
that foreign keys need no round trip; PostgreSQL sequences are moved past them at the end.
The same seed, sizes and --now give the same data.

Findings and withdrawals go through the eligibility package's services (report, assess, decide),
so a withdrawal ends grants, cancels tranches and closes applications as in production. Other
packages can add tables through `register_generator()` (see EXTRA_GENERATORS below).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Callable

from sqlalchemy import JSON, func, insert, select, text
from sqlalchemy.orm import Session
from stdnum import luhn
from stdnum.se import orgnr

from eligibility.models import RuleSet, Screening, ScreeningResult
from grants.models import (ActionArea, Application, ApplicationStatus, BudgetLine, Criterion, Decision,
                           DecisionOutcome, EvaluationPoint, FollowUpPlan, Grant, GrantStatus, Indicator, Milestone,
                           MilestoneKind, Programme, ProgrammeStatus, Review, ReviewScore, Tranche, TrancheStatus)
from monitoring.models import (Evaluation, EvaluationStatus, Experience, GranteeReport, IndicatorValue,
                               Recommendation, ReportStatus, SpendingLine)
from organisations.models import (BoardMember, DeclarationSignature, DeclarationText, Document, DocumentKind,
                                  LegalForm, Organisation, OrganisationDistrict, Representative)
from portal.demo import DISTRICT_COMMITTEES, DISTRICT_COMMITTEE_NAMES, EXECUTIVE_BOARD, SPECIALIST_COMMITTEES
from portal.models import AuditEvent, Committee, CommitteeKind, Role, RoleGrant, User

BATCH = 2000
BENCH_PASSWORD = "bench-losenord-2026"
BENCH_DOMAIN = "bench.example"

# The accounts the benchmark logs in as: one per role, all on the first committee.
BENCH_USERS = {
    Role.APPLICANT: f"bench-applicant@{BENCH_DOMAIN}",
    Role.OFFICER: f"bench-officer@{BENCH_DOMAIN}",
    Role.DECISION_MAKER: f"bench-decision-maker@{BENCH_DOMAIN}",
    Role.COORDINATOR: f"bench-coordinator@{BENCH_DOMAIN}",
    Role.ADMIN: f"bench-admin@{BENCH_DOMAIN}",
}

# Rule ids for the generated rule set when the eligibility package has registered none yet.
DEFAULT_RULE_IDS = [
    ("declaration_valid", "democracy_rule_of_law"),
    ("statutes_on_file", "formal"),
    ("board_present", "formal"),
    ("no_confirmed_finding", "no_violence"),
]


@dataclass(frozen=True)
class Sizes:
    """How much history to make. Defaults are the city at 1x (issue 8)."""

    committees: int = 20
    organisations: int = 5000
    programmes: int = 200
    applications: int = 20000
    grants: int = 8000
    reports: int = 40000
    evaluations: int = 2000
    experiences: int = 500
    findings: int = 200
    withdrawals: int = 10
    officers_per_committee: int = 3
    decision_makers_per_committee: int = 2
    coordinators: int = 3

    # Lower bounds so that a tiny scale still has one of everything.
    _MINIMUM = {"committees": 2, "organisations": 4, "programmes": 2, "applications": 12, "grants": 4,
                "reports": 4, "evaluations": 2, "experiences": 1, "findings": 1, "withdrawals": 1}
    _PER_COMMITTEE = ("officers_per_committee", "decision_makers_per_committee", "coordinators")

    @classmethod
    def at_scale(cls, scale: float, **overrides: int) -> Sizes:
        base = cls()
        values = {}
        for f in fields(cls):
            value = getattr(base, f.name)
            if f.name not in cls._PER_COMMITTEE:
                value = max(cls._MINIMUM.get(f.name, 1), round(value * scale))
            values[f.name] = value
        values.update({k: v for k, v in overrides.items() if v is not None})
        sizes = cls(**values)
        sizes.check()
        return sizes

    def check(self) -> None:
        if self.grants > self.applications:
            raise ValueError("grants cannot exceed applications (each grant comes from one application)")
        if self.evaluations > self.grants:
            raise ValueError("evaluations cannot exceed grants (one evaluation point per grant)")
        if self.experiences > self.evaluations:
            raise ValueError("experiences cannot exceed evaluations (each comes from one evaluation)")
        if self.withdrawals > self.organisations:
            raise ValueError("withdrawals cannot exceed organisations")
        if self.withdrawals > self.findings:
            raise ValueError("withdrawals cannot exceed findings (each starts from a confirmed finding)")


@dataclass
class GenerationContext:
    """What a generator hook receives: the session, the clock, the random source, the sizes and
    the ids made so far (lists by table name), so it can add rows that point at them."""

    session: Session
    now: datetime
    rng: random.Random
    sizes: Sizes
    ids: dict
    counts: dict


# name -> fn(ctx). Run after the core history, in registration order.
EXTRA_GENERATORS: dict[str, Callable[[GenerationContext], None]] = {}


def register_generator(name: str, fn: Callable[[GenerationContext], None]) -> None:
    """Plug in a generator for tables not built here; it should record its counts in ctx.counts."""
    EXTRA_GENERATORS[name] = fn


class AlreadyGenerated(RuntimeError):
    pass


# --- helpers -----------------------------------------------------------------------------------

class _Ids:
    """Hands out primary keys above whatever is in the table already."""

    def __init__(self, session: Session):
        self.session = session
        self.next: dict[str, int] = {}

    def take(self, model, n: int) -> list[int]:
        table = model.__tablename__
        if table not in self.next:
            self.next[table] = (self.session.scalar(select(func.max(model.id))) or 0) + 1
        start = self.next[table]
        self.next[table] = start + n
        return list(range(start, start + n))


def _insert(session: Session, model, rows: list[dict], counts: dict) -> None:
    """Bulk insert in batches. The model's table rather than the ORM bulk path: the ORM starts a
    new statement whenever a row's set of non-NULL columns differs from the previous row's.
    On PostgreSQL, COPY: an executemany there still costs one statement per row."""
    counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, model.__table__, rows)
        return
    for i in range(0, len(rows), BATCH):
        session.execute(insert(model.__table__), rows[i:i + BATCH])


def _copy(session: Session, table, rows: list[dict]) -> None:
    columns = list(rows[0])
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    raw = session.connection().connection.dbapi_connection  # inside the session's transaction
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                            for c in columns])


def _org_number(n: int) -> str:
    """A valid Swedish organisation number for a non-profit association (802...), Luhn-checked."""
    body = f"802{n:06d}"
    number = body + luhn.calc_check_digit(body)
    assert orgnr.is_valid(number)
    return number


def _split(total: int, parts: int) -> list[int]:
    """Split öre into whole-krona parts that add up exactly to the total."""
    if parts == 1:
        return [total]
    share = (total // parts) // 100 * 100
    return [share] * (parts - 1) + [total - share * (parts - 1)]


def _participants(rng: random.Random, scale: int) -> dict:
    bands = ("0-17", "18-25", "26-64", "65+")
    return {g: {b: rng.randint(0, scale) for b in bands} for g in ("women", "men", "other", "not_stated")}


FIRST_NAMES = ["Anna", "Erik", "Fatima", "Mohammed", "Sara", "Johan", "Leila", "Ahmed", "Maria", "Lars",
               "Amina", "Karl", "Elin", "Omar", "Ingrid", "Yusuf", "Sofia", "Nils", "Hodan", "Per"]
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Hassan", "Ali", "Eriksson", "Larsson",
              "Olsson", "Persson", "Svensson", "Abdi", "Gustafsson", "Pettersson", "Jonsson", "Yilmaz"]
ORG_WORDS = ["Föreningen", "Nätverket", "Ungdomsförbundet", "Kulturföreningen", "Idrottsklubben",
             "Kvinnoföreningen", "Stiftelsen", "Läxhjälpen", "Grannsamverkan", "Dialogforum"]
ORG_THEMES = ["Framtid", "Gemenskap", "Demokrati", "Trygghet", "Bro", "Mötesplats", "Dialog", "Horisont",
              "Kompass", "Gnistan", "Solidaritet", "Jämlikhet"]
METHODS = ["mentorskap", "samtalsgrupper", "föräldrastöd", "idrott", "kultur", "läxhjälp", "utbildning",
           "exit-stöd", "dialogmöten", "fältarbete"]
TARGET_GROUPS = ["unga 13-17", "unga vuxna 18-25", "föräldrar", "anhöriga", "avhoppare", "drabbade",
                 "skolpersonal", "boende i området"]
CRITERIA = ["Relevans för målgruppen", "Metodens förankring i forskning", "Genomförbarhet",
            "Jämställdhetsperspektiv"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


# --- the generator -----------------------------------------------------------------------------

def generate(session: Session, sizes: Sizes, *, seed: int = 1, now: datetime, password_hash: str | None = None,
             progress: Callable[[str], None] | None = None) -> dict:
    """Add the history to the database in one transaction and commit. Returns row counts by table."""
    say = progress or (lambda message: None)
    if session.scalar(select(func.count()).select_from(User).where(User.email.like(f"%@{BENCH_DOMAIN}"))):
        raise AlreadyGenerated("this database already holds benchmark data: start from a fresh migrated one")
    if password_hash is None:
        from portal.security import hash_password
        password_hash = hash_password(BENCH_PASSWORD)

    rng = random.Random(seed)
    ids = _Ids(session)
    counts: dict[str, int] = {}
    made: dict[str, list] = {}
    today = now.date()

    # Committees: the real ones first, numbered extras beyond them.
    say("committees and users")
    real = ([(n, CommitteeKind.DISTRICT) for n in DISTRICT_COMMITTEE_NAMES]
            + [(n, CommitteeKind.SPECIALIST) for n in SPECIALIST_COMMITTEES]
            + [(EXECUTIVE_BOARD, CommitteeKind.EXECUTIVE_BOARD), ("Stadens bostadsbolag", CommitteeKind.HOUSING_COMPANY)])
    existing = {c.name: c.id for c in session.scalars(select(Committee))}
    committee_ids, rows = [], []
    for i in range(sizes.committees):
        name, kind = real[i] if i < len(real) else (f"Nämnd {i + 1} (benchmark)", CommitteeKind.DISTRICT)
        if name in existing:
            committee_ids.append(existing[name])
            continue
        [cid] = ids.take(Committee, 1)
        committee_ids.append(cid)
        rows.append({"id": cid, "name": name, "kind": kind.value, "active": True, "created_at": now - timedelta(days=2000)})
    _insert(session, Committee, rows, counts)
    made["committee"] = committee_ids

    # Users: staff per committee, coordinators, an admin, one applicant per organisation, plus
    # the named benchmark accounts that the runner logs in as.
    user_rows, grant_rows = [], []

    def add_user(email: str, role: Role | None, committee_id: int | None) -> int:
        [uid] = ids.take(User, 1)
        user_rows.append({"id": uid, "email": email, "name": _name(rng), "password_hash": password_hash,
                          "active": True, "locale": None, "email_confirmed_at": now - timedelta(days=900),
                          "created_at": now - timedelta(days=900), "session_version": 1})
        if role is not None:
            [gid] = ids.take(RoleGrant, 1)
            grant_rows.append({"id": gid, "user_id": uid, "role": role.value, "committee_id": committee_id})
        return uid

    bench_user = {role: add_user(email, role, committee_ids[0] if role in (Role.OFFICER, Role.DECISION_MAKER)
                                 else None) for role, email in BENCH_USERS.items()}
    officers: dict[int, list[int]] = {}
    for ci, cid in enumerate(committee_ids):
        officers[cid] = [add_user(f"officer{ci + 1}-{k + 1}@{BENCH_DOMAIN}", Role.OFFICER, cid)
                         for k in range(sizes.officers_per_committee)]
        for k in range(sizes.decision_makers_per_committee):
            add_user(f"decider{ci + 1}-{k + 1}@{BENCH_DOMAIN}", Role.DECISION_MAKER, cid)
    officers[committee_ids[0]].append(bench_user[Role.OFFICER])
    deciders = {cid: [g["user_id"] for g in grant_rows if g["committee_id"] == cid and g["role"] == "decision_maker"]
                for cid in committee_ids}
    for k in range(sizes.coordinators):
        add_user(f"coordinator{k + 1}@{BENCH_DOMAIN}", Role.COORDINATOR, None)
    applicant_ids = [add_user(f"applicant{n + 1}@{BENCH_DOMAIN}", Role.APPLICANT, None)
                     for n in range(sizes.organisations)]
    _insert(session, User, user_rows, counts)
    _insert(session, RoleGrant, grant_rows, counts)
    made["user"] = [r["id"] for r in user_rows]

    # Organisations with districts, board, representatives, statutes and a declaration signature.
    say("organisations")
    org_ids = ids.take(Organisation, sizes.organisations)
    numbers = rng.sample(range(1, 999_999), sizes.organisations)
    rows, districts, board, reps, docs = [], [], [], [], []
    board_ids = ids.take(BoardMember, 3 * sizes.organisations)
    for i, oid in enumerate(org_ids):
        created = now - timedelta(days=rng.randint(30, 3000))
        rows.append({
            "id": oid, "org_number": _org_number(numbers[i]),
            "name": f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_THEMES)} {i + 1}",
            "legal_form": rng.choice([LegalForm.NON_PROFIT_ASSOCIATION.value] * 6 + [f.value for f in LegalForm]),
            "street_address": f"Storgatan {rng.randint(1, 120)}", "postal_code": f"1{rng.randint(1000, 6999)}",
            "city": "Stockholm", "contact_name": _name(rng), "email": f"kontakt{i + 1}@org.{BENCH_DOMAIN}",
            "phone": f"08-{rng.randint(100000, 999999)}", "website": "", "payment_account_type": "bankgiro",
            "payment_account": f"{rng.randint(100, 9999)}-{rng.randint(1000, 9999)}",
            "founding_year": rng.randint(1950, 2024), "members_women": rng.randint(3, 300),
            "members_men": rng.randint(3, 300), "members_other": rng.randint(0, 10),
            "consents_to_name_in_experiences": rng.random() < 0.6, "status": "active", "status_changed_at": None,
            "created_at": created, "updated_at": created,
        })
        for district in rng.sample(DISTRICT_COMMITTEES, rng.randint(1, 3)):
            districts.append({"organisation_id": oid, "district": district})
        for k, role in enumerate(("chair", "treasurer", "member")):
            board.append({"id": board_ids[3 * i + k], "organisation_id": oid, "name": _name(rng), "role": role,
                          "authorised_signatory": k < 2})
        reps.append({"organisation_id": oid, "user_id": applicant_ids[i], "added_at": created, "added_by_id": None})
        docs.append({"organisation_id": oid, "kind": DocumentKind.STATUTES.value, "sha256": f"{oid:064x}",
                     "size": 48_000, "mime_type": "application/pdf", "original_name": "stadgar.pdf",
                     "year": created.year, "uploaded_by_id": applicant_ids[i], "uploaded_at": created,
                     "removed_at": None})
    # The benchmark applicant acts for the first three organisations.
    for oid in org_ids[:3]:
        reps.append({"organisation_id": oid, "user_id": bench_user[Role.APPLICANT], "added_at": now, "added_by_id": None})
    _insert(session, Organisation, rows, counts)
    consents = {r["id"]: r["consents_to_name_in_experiences"] for r in rows}
    _insert(session, OrganisationDistrict, districts, counts)
    _insert(session, BoardMember, board, counts)
    _insert(session, Representative, reps, counts)
    _insert(session, Document, docs, counts)
    made["organisation"] = org_ids

    text_id = session.scalar(select(DeclarationText.id).order_by(DeclarationText.version.desc()).limit(1))
    if text_id is None:
        [text_id] = ids.take(DeclarationText, 1)
        _insert(session, DeclarationText, [{
            "id": text_id, "version": 1, "published_at": now - timedelta(days=1500), "created_by_id": None,
            "text_sv": "Organisationen står bakom demokratins principer, de mänskliga rättigheterna och "
                       "jämställdhet mellan kvinnor och män, och tar avstånd från våld.",
            "text_en": "The organisation stands behind the principles of democracy, human rights and equality "
                       "between women and men, and rejects violence."}], counts)
    signatures = []
    for i, oid in enumerate(org_ids):
        signed = now - timedelta(days=rng.randint(1, 420))  # some are past the 12 months: expired
        signatures.append({"organisation_id": oid, "text_id": text_id, "signed_by_id": applicant_ids[i],
                           "signatory_board_member_id": board_ids[3 * i], "signatory_name": board[3 * i]["name"],
                           "signed_at": signed, "expires_at": signed + timedelta(days=365)})
    _insert(session, DeclarationSignature, signatures, counts)

    # A published rule set: the registered rules if the eligibility package has any, else defaults.
    from eligibility.screening import RULES
    rule_ids = [(r.id, r.requirement) for r in RULES.values() if not r.needs_application] or DEFAULT_RULE_IDS
    rule_set_id = session.scalar(select(RuleSet.id).where(RuleSet.published_at.is_not(None))
                                 .order_by(RuleSet.version.desc()).limit(1))
    if rule_set_id is None:
        [rule_set_id] = ids.take(RuleSet, 1)
        _insert(session, RuleSet, [{"id": rule_set_id, "version": 1, "name": "Demokrativillkoret (benchmark)",
                                    "rules": [{"id": rid, "params": {}} for rid, _ in rule_ids],
                                    "validity_days": 30, "published_at": now - timedelta(days=1000),
                                    "created_at": now - timedelta(days=1000), "created_by_id": None}], counts)

    # Programmes with criteria, spread over five years.
    say("programmes and applications")
    prog_ids = ids.take(Programme, sizes.programmes)
    rows, criteria = [], []
    programme_info = {}
    crit_ids = ids.take(Criterion, len(CRITERIA) * sizes.programmes)
    for i, pid in enumerate(prog_ids):
        cid = committee_ids[i % len(committee_ids)]
        opens = today - timedelta(days=rng.randint(-30, 1800))
        closes = opens + timedelta(days=rng.randint(30, 90))
        if i % 20 == 0:  # a city always has calls open: one programme in twenty takes applications today
            opens, closes = today - timedelta(days=rng.randint(1, 20)), today + timedelta(days=rng.randint(10, 60))
        status = ProgrammeStatus.PUBLISHED.value if closes >= today else ProgrammeStatus.CLOSED.value
        area = rng.choice(list(ActionArea)).value
        rows.append({"id": pid, "committee_id": cid, "title": f"Bidrag {area} {opens.year} #{i + 1}",
                     "description": "Riktade bidrag till förebyggande arbete.", "action_area": area,
                     "target_groups": rng.sample(TARGET_GROUPS, 2), "districts": rng.sample(DISTRICT_COMMITTEES, 2),
                     "budget": 500_000_00 * rng.randint(1, 10), "max_per_grant": 200_000_00, "opens_on": opens,
                     "closes_on": closes, "reporting_rhythm": "interim_final", "status": status,
                     "created_by_id": officers[cid][0], "created_at": datetime.combine(opens, datetime.min.time()),
                     "published_at": datetime.combine(opens, datetime.min.time())})
        programme_info[pid] = (cid, opens, closes, area)
        for k, name in enumerate(CRITERIA):
            criteria.append({"id": crit_ids[i * len(CRITERIA) + k], "programme_id": pid, "position": k, "name": name,
                             "description": "", "weight": 1 + (k == 0)})
    _insert(session, Programme, rows, counts)
    _insert(session, Criterion, criteria, counts)
    made["programme"] = prog_ids

    # Applications in realistic states: the first `grants` are approved, the rest spread out.
    rest = sizes.applications - sizes.grants
    shares = [(ApplicationStatus.DECIDED, 0.35), (ApplicationStatus.DRAFT, 0.15), (ApplicationStatus.SUBMITTED, 0.12),
              (ApplicationStatus.IN_REVIEW, 0.18), (ApplicationStatus.RETURNED, 0.05),
              (ApplicationStatus.WITHDRAWN, 0.09), (ApplicationStatus.CLOSED_INELIGIBLE, 0.06)]
    others: list[ApplicationStatus] = []
    for status, share in shares[1:]:
        others += [status] * round(rest * share)
    others = others[:rest]
    others += [ApplicationStatus.DECIDED] * (rest - len(others))  # the rejected ones
    states = [("approved", ApplicationStatus.DECIDED)] * sizes.grants + [("other", s) for s in others]
    rng.shuffle(states)

    app_ids = ids.take(Application, sizes.applications)
    apps, lines = [], []
    app_info = {}
    for i, aid in enumerate(app_ids):
        kind, status = states[i]
        pid = rng.choice(prog_ids)
        cid, opens, closes, area = programme_info[pid]
        oid = rng.choice(org_ids)
        created = datetime.combine(opens, datetime.min.time()) + timedelta(hours=rng.randint(1, 24 * 20))
        start = closes + timedelta(days=30)
        end = start + timedelta(days=rng.choice((180, 270, 365)))
        requested = rng.randint(20, 200) * 1000_00
        submitted = status != ApplicationStatus.DRAFT
        apps.append({
            "id": aid, "reference": f"B-{opens.year}-{aid:06d}" if submitted else None, "organisation_id": oid,
            "programme_id": pid, "created_by_id": applicant_ids[oid - org_ids[0]], "title": f"{rng.choice(METHODS).capitalize()} för {rng.choice(TARGET_GROUPS)}",
            "aims": "Stärka unga vuxnas motståndskraft mot våldsbejakande budskap.",
            "activities": "Träffar varje vecka, utbildning av ledare, föräldramöten.",
            "method": rng.choice(METHODS), "target_group": rng.choice(TARGET_GROUPS),
            "expected_participants": _participants(rng, 10), "period_start": start, "period_end": end,
            "requested_amount": requested, "partners": "", "status": status.value, "last_step": 5 if submitted else 2,
            "return_message": "Komplettera budgeten." if status == ApplicationStatus.RETURNED else None,
            "closed_reason": "Uppfyller inte demokrativillkoret." if status == ApplicationStatus.CLOSED_INELIGIBLE
            else None, "created_at": created, "updated_at": created + timedelta(days=3),
            "submitted_at": created + timedelta(days=3) if submitted else None, "version": 1,
        })
        app_info[aid] = (kind, status, oid, cid, pid, start, end, requested, created)
        for category, part in (("Personal", 0.6), ("Lokaler och material", 0.4)):
            lines.append({"application_id": aid, "category": category, "description": "",
                          "amount": int(requested * part) // 100 * 100, "own_funding": 0, "other_funding": 0})
    _insert(session, Application, apps, counts)
    _insert(session, BudgetLine, lines, counts)
    made["application"] = app_ids

    # Screenings: one batch run per organisation, one per submitted application.
    say("screenings and reviews")
    screened = [aid for aid in app_ids if app_info[aid][1] in
                (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.DECIDED,
                 ApplicationStatus.CLOSED_INELIGIBLE)]
    scr_ids = ids.take(Screening, len(org_ids) + len(screened))
    screenings, results = [], []
    app_screening = {}
    for n, sid in enumerate(scr_ids):
        if n < len(org_ids):
            oid, aid, trigger, at = org_ids[n], None, "batch", now - timedelta(days=rng.randint(1, 60))
        else:
            aid = screened[n - len(org_ids)]
            oid, trigger, at = app_info[aid][2], "submitted", app_info[aid][8] + timedelta(days=4)
            app_screening[aid] = sid
        ineligible = aid is not None and app_info[aid][1] == ApplicationStatus.CLOSED_INELIGIBLE
        # An approval needs an eligible screening, so only other applications may await assessment.
        approved = aid is not None and app_info[aid][0] == "approved"
        outcome = "ineligible" if ineligible else (
            "needs_assessment" if not approved and rng.random() < 0.03 else "eligible")
        screenings.append({"id": sid, "organisation_id": oid, "application_id": aid, "rule_set_id": rule_set_id,
                           "trigger": trigger, "run_at": at, "run_by_id": None, "outcome": outcome})
        for position, (rid, requirement) in enumerate(rule_ids):
            rule_outcome = "fail" if ineligible and position == 0 else (
                "needs_assessment" if outcome == "needs_assessment" and position == 1 else "pass")
            results.append({"screening_id": sid, "position": position, "rule_id": rid, "requirement": requirement,
                            "outcome": rule_outcome, "evidence": {"checked_at": at.isoformat()},
                            "resolved_outcome": None, "resolution_reason": None, "resolved_by_id": None,
                            "resolved_at": None})
    _insert(session, Screening, screenings, counts)
    _insert(session, ScreeningResult, results, counts)

    # Reviews with scores for applications in review or decided.
    reviewed = [aid for aid in app_ids if app_info[aid][1] in (ApplicationStatus.IN_REVIEW, ApplicationStatus.DECIDED)]
    review_ids = ids.take(Review, len(reviewed))
    reviews, scores = [], []
    for rid, aid in zip(review_ids, reviewed):
        kind, status, oid, cid, pid, *_ = app_info[aid]
        at = app_info[aid][8] + timedelta(days=10)
        done = status == ApplicationStatus.DECIDED or rng.random() < 0.5
        reviews.append({"id": rid, "application_id": aid, "reviewer_id": rng.choice(officers[cid]), "assigned_at": at,
                        "assigned_by_id": None, "has_conflict": False, "conflict_reason": None, "declared_at": at,
                        "recommendation": ("approve" if kind == "approved" else "reject") if done else None,
                        "comment": "Väl beskriven metod." if done else "", "submitted_at": at + timedelta(days=5)
                        if done else None})
        if done:
            base = pid - prog_ids[0]  # ids are handed out contiguously
            for k in range(len(CRITERIA)):
                scores.append({"review_id": rid, "criterion_id": crit_ids[base * len(CRITERIA) + k],
                               "score": rng.randint(2, 5) if kind == "approved" else rng.randint(0, 3), "comment": ""})
    _insert(session, Review, reviews, counts)
    _insert(session, ReviewScore, scores, counts)

    # Decisions: approvals (with plans and grants) and rejections.
    say("decisions, plans, grants and tranches")
    decided = [aid for aid in app_ids if app_info[aid][1] == ApplicationStatus.DECIDED]
    decision_ids = ids.take(Decision, len(decided))
    decisions, audits = [], []
    decision_of = {}
    for did, aid in zip(decision_ids, decided):
        kind, status, oid, cid, pid, start, end, requested, created = app_info[aid]
        approved = kind == "approved"
        partly = approved and rng.random() < 0.25
        amount = (requested * 3 // 4) // 100 * 100 if partly else (requested if approved else 0)
        at = created + timedelta(days=25)
        outcome = (DecisionOutcome.PARTLY_APPROVE if partly else DecisionOutcome.APPROVE) if approved \
            else DecisionOutcome.REJECT
        decisions.append({"id": did, "application_id": aid, "outcome": outcome.value, "amount": amount,
                          "conditions": "Redovisning enligt uppföljningsplanen." if approved else "",
                          "reasons": "Ansökan bedöms väl." if approved else "Andra ansökningar bedömdes ge större nytta.",
                          "appeal_info": "Beslutet kan överklagas genom laglighetsprövning inom tre veckor.",
                          "decided_by_id": rng.choice(deciders[cid]), "decided_at": at,
                          "screening_id": app_screening.get(aid), "letter_locale": "sv", "letter_pdf": None})
        decision_of[aid] = (did, amount, at)
        audits.append({"at": at, "actor_id": decisions[-1]["decided_by_id"], "action": "decision.made",
                       "object_type": "decision", "object_id": str(did),
                       "changes": {"outcome": outcome.value, "amount": amount}, "reason": None})
    _insert(session, Decision, decisions, counts)
    _insert(session, AuditEvent, audits, counts)

    approved_apps = [aid for aid in decided if app_info[aid][0] == "approved"]
    per_grant = max(1, -(-sizes.reports // sizes.grants))  # milestones that receive a report, per grant
    plan_ids = ids.take(FollowUpPlan, len(approved_apps))
    grant_ids = ids.take(Grant, len(approved_apps))
    plans, indicators, milestones, points, grants, tranches = [], [], [], [], [], []
    grant_info = {}
    ind_ids = ids.take(Indicator, 2 * len(approved_apps))
    ms_ids = ids.take(Milestone, (per_grant + 1) * len(approved_apps))
    ep_ids = ids.take(EvaluationPoint, len(approved_apps))
    for n, aid in enumerate(approved_apps):
        kind, status, oid, cid, pid, start, end, requested, created = app_info[aid]
        did, amount, decided_at = decision_of[aid]
        plan_id, gid = plan_ids[n], grant_ids[n]
        plans.append({"id": plan_id, "application_id": aid, "responsible_officer_id": rng.choice(officers[cid]),
                      "created_at": decided_at, "updated_at": decided_at})
        for k in range(2):
            indicators.append({"id": ind_ids[2 * n + k], "plan_id": plan_id, "objective": "Fler unga deltar.",
                               "name": ("Deltagare", "Genomförda träffar")[k], "unit": ("personer", "träffar")[k],
                               "baseline": Decimal("0"), "target": Decimal(rng.randint(10, 80)), "by_gender": k == 0})
        span = (end - start).days
        ms = ms_ids[(per_grant + 1) * n:(per_grant + 1) * (n + 1)]
        for k, mid in enumerate(ms):
            final = k == len(ms) - 1
            due = end + timedelta(days=30) if final else start + timedelta(days=span * (k + 1) // (len(ms)))
            milestones.append({"id": mid, "plan_id": plan_id, "due_on": due, "report_approved_at": None,
                               "report_handed_in_at": None,
                               "kind": (MilestoneKind.FINAL if final else MilestoneKind.INTERIM).value})
        points.append({"id": ep_ids[n], "plan_id": plan_id, "due_on": end + timedelta(days=60),
                       "description": "Utvärdering efter avslutad insats."})
        completed = end + timedelta(days=30) < today
        grants.append({"id": gid, "application_id": aid, "decision_id": did, "organisation_id": oid,
                       "committee_id": cid, "programme_id": pid, "amount": amount, "period_start": start,
                       "period_end": end, "status": (GrantStatus.COMPLETED if completed else GrantStatus.ACTIVE).value,
                       "created_at": decided_at, "ended_at": datetime.combine(end, datetime.min.time())
                       if completed else None, "end_reason": None})
        parts = _split(amount, 2 if amount < 100_000_00 else 3)
        for k, part in enumerate(parts):
            due = start if k == 0 else milestones[-len(ms) + k - 1]["due_on"] + timedelta(days=14)
            paid = due < today
            tranches.append({"grant_id": gid, "due_on": due, "amount": part,
                             "condition": "none" if k == 0 else "milestone_approved",
                             "condition_milestone_id": None if k == 0 else ms[k - 1],
                             "status": (TrancheStatus.PAID if paid else TrancheStatus.SCHEDULED).value,
                             "released_at": datetime.combine(due, datetime.min.time()) if paid else None,
                             "released_by_id": None, "paid_at": datetime.combine(due, datetime.min.time())
                             + timedelta(days=2) if paid else None, "paid_by_id": None, "cancelled_at": None})
        grant_info[gid] = (aid, oid, cid, plan_id, ms, ind_ids[2 * n:2 * n + 2], ep_ids[n], end, completed)
    made["grant_award"] = grant_ids

    # Grantee reports: report j belongs to grant j % grants, milestone j // grants.
    say("reports")
    report_ids = ids.take(GranteeReport, sizes.reports)
    milestone_due = {m["id"]: m["due_on"] for m in milestones}
    responsible = {p["id"]: p["responsible_officer_id"] for p in plans}
    reports, values, spending, approvals, handed_in = [], [], [], {}, {}
    for j, rid in enumerate(report_ids):
        gid = grant_ids[j % len(grant_ids)]
        aid, oid, cid, plan_id, ms, inds, ep, end, completed = grant_info[gid]
        mid = ms[j // len(grant_ids)]
        due = milestone_due[mid]
        if due < today:
            status = rng.choices([ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.RETURNED],
                                 [85, 10, 5])[0]
        else:
            status = ReportStatus.DRAFT
        submitted = status != ReportStatus.DRAFT
        at = datetime.combine(due, datetime.min.time()) - timedelta(days=rng.randint(0, 10))
        people = _participants(rng, 8)
        reports.append({
            "id": rid, "grant_id": gid, "milestone_id": mid, "status": status.value,
            "activities": "Vi har genomfört träffarna enligt planen.", "participants": people,
            "participants_women": sum(people["women"].values()), "participants_men": sum(people["men"].values()),
            "participants_other": sum(people["other"].values()) + sum(people["not_stated"].values()),
            "spent_total": 0, "submitted_at": at if submitted else None,
            "submitted_by_id": applicant_ids[oid - org_ids[0]] if submitted else None,
            "reviewed_at": at + timedelta(days=7) if status in (ReportStatus.APPROVED, ReportStatus.RETURNED) else None,
            # The plan's responsible officer reviews the grant's reports.
            "reviewed_by_id": responsible[plan_id] if status in (ReportStatus.APPROVED, ReportStatus.RETURNED)
            else None,
            "officer_comment": "", "created_at": at - timedelta(days=5)})
        if status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            handed_in[mid] = at
        if status == ReportStatus.APPROVED:
            approvals[mid] = at + timedelta(days=7)
        spent = rng.randint(5, 50) * 1000_00
        reports[-1]["spent_total"] = spent
        spending.append({"report_id": rid, "budget_line_id": None, "category": "Personal", "amount": spent})
        women = Decimal(rng.randint(0, 20))
        men = Decimal(rng.randint(0, 20))
        values.append({"report_id": rid, "indicator_id": inds[0], "value": women + men, "value_women": women,
                       "value_men": men, "value_other": Decimal(0)})
        values.append({"report_id": rid, "indicator_id": inds[1], "value": Decimal(rng.randint(1, 30)),
                       "value_women": None, "value_men": None, "value_other": None})
    # Reports mark their milestones: handed in (grants.followup's overdue rule reads it) and approved
    # (tranche conditions read it), as monitoring.reports does.
    for milestone in milestones:
        milestone["report_handed_in_at"] = handed_in.get(milestone["id"])
        milestone["report_approved_at"] = approvals.get(milestone["id"])
    _insert(session, FollowUpPlan, plans, counts)
    _insert(session, Indicator, indicators, counts)
    _insert(session, Milestone, milestones, counts)
    _insert(session, EvaluationPoint, points, counts)
    _insert(session, Grant, grants, counts)
    _insert(session, Tranche, tranches, counts)
    _insert(session, GranteeReport, reports, counts)
    _insert(session, IndicatorValue, values, counts)
    _insert(session, SpendingLine, spending, counts)

    # Evaluations for the earliest-ending grants; the shared ones become experiences.
    say("evaluations and experiences")
    by_end = sorted(grant_ids, key=lambda g: (grant_info[g][7], g))[:sizes.evaluations]
    eval_ids = ids.take(Evaluation, len(by_end))
    evaluations, experiences = [], []
    exp_ids = ids.take(Experience, sizes.experiences)
    for n, (eid, gid) in enumerate(zip(eval_ids, by_end)):
        aid, oid, cid, plan_id, ms, inds, ep, end, completed = grant_info[gid]
        due = end + timedelta(days=60)
        is_done = due < today or n < sizes.experiences
        recommendation = rng.choice(list(Recommendation)).value if is_done else None
        at = datetime.combine(due, datetime.min.time()) + timedelta(days=10)
        evaluations.append({
            "id": eid, "grant_id": gid, "evaluation_point_id": ep, "committee_id": cid,
            "status": (EvaluationStatus.COMPLETED if is_done else EvaluationStatus.DUE).value, "due_on": due,
            "rating": rng.randint(1, 5) if is_done else None,
            "attainment": [{"indicator_id": inds[0], "target": "40", "actual": str(rng.randint(10, 60))}] if is_done
            else [], "attainment_share": Decimal(rng.randint(40, 120)) / 100 if is_done else None,
            "what_worked": "Ledarna hade förtroende i gruppen." if is_done else "",
            "what_did_not": "Svårt att nå föräldrar." if is_done else "", "lessons": "Börja tidigt med föräldrar."
            if is_done else "", "recommendation": recommendation, "share": n < sizes.experiences,
            "completed_at": at if is_done else None, "completed_by_id": officers[cid][0] if is_done else None,
            "created_at": datetime.combine(due, datetime.min.time())})
        if n < sizes.experiences:
            app = apps[aid - app_ids[0]]
            area = programme_info[app["programme_id"]][3]
            named = consents[oid]
            experiences.append({
                "id": exp_ids[n], "evaluation_id": eid, "title": f"Erfarenheter av {app['method']}",
                "summary": f"{app['method'].capitalize()} med {app['target_group']}.",
                "what_worked": evaluations[-1]["what_worked"], "what_did_not": evaluations[-1]["what_did_not"],
                "lessons": evaluations[-1]["lessons"], "recommendation": recommendation,
                "rating": evaluations[-1]["rating"], "action_area": area, "target_group": app["target_group"],
                "method": app["method"], "district": rng.choice(DISTRICT_COMMITTEES), "committee_id": cid,
                "organisation_id": oid, "organisation_named": named, "published": True, "created_at": at,
                "updated_at": at, "updated_by_id": None})
    _insert(session, Evaluation, evaluations, counts)
    _insert(session, Experience, experiences, counts)

    # From here on rows are made by the project's services (ORM, database-assigned ids), so on
    # PostgreSQL the sequences must first be moved past the ids chosen above.
    _move_sequences_past_ids(session, ids)
    say("findings and withdrawals")
    _findings_and_withdrawals(session, sizes, rng, now, org_ids=org_ids, officers=officers,
                              coordinator_id=bench_user[Role.COORDINATOR], counts=counts)
    _bench_api_token(session, bench_user[Role.OFFICER], now, counts)

    ctx = GenerationContext(session=session, now=now, rng=rng, sizes=sizes, ids=made, counts=counts)
    for name, fn in EXTRA_GENERATORS.items():
        say(name)
        fn(ctx)

    _move_sequences_past_ids(session, ids)
    session.commit()
    return counts


def _findings_and_withdrawals(session: Session, sizes: Sizes, rng: random.Random, now: datetime, *,
                              org_ids: list[int], officers: dict[int, list[int]], coordinator_id: int,
                              counts: dict) -> None:
    """`sizes.findings` findings through eligibility's services; `sizes.withdrawals` of them are
    confirmed findings of violence whose case ends in withdrawal of all support (decide_case, which
    through the grants package ends grants, cancels tranches, closes applications and proposes
    claims). Of the rest some await assessment, some are dismissed, some confirmed in a category
    that does not open a case. The benchmark applicant's organisations (the first three) are spared."""
    from eligibility.models import FindingActor, FindingCategory, FindingSource, WithdrawalCase
    from eligibility.services import assess_finding, decide_case, report_finding

    candidates = org_ids[3:] or org_ids
    n_withdrawals = min(sizes.withdrawals, sizes.findings, len(candidates))
    # Organisations with a withdrawal have one finding each; the other findings may share one.
    barred = rng.sample(candidates, n_withdrawals)
    barred_set = set(barred)
    others = [o for o in candidates if o not in barred_set] or candidates
    coordinator = session.get(User, coordinator_id)
    committees = list(officers)
    reporters = {uid: session.get(User, uid) for cid in committees for uid in officers[cid][:1]}
    no_case = [FindingCategory.DISCRIMINATION.value, FindingCategory.ANTI_DEMOCRATIC.value,
               FindingCategory.ASSOCIATION.value]
    cases = 0
    for n in range(sizes.findings):
        withdraw = n < n_withdrawals
        oid = barred[n] if withdraw else rng.choice(others)
        cid = rng.choice(committees)
        reported = now - timedelta(days=rng.randint(30, 700), hours=rng.randint(0, 8))
        actor = rng.choice(list(FindingActor)).value
        category = rng.choice([FindingCategory.VIOLENCE.value, FindingCategory.INCITEMENT.value]) if withdraw \
            else rng.choice(no_case)
        finding = report_finding(
            session, organisation=session.get(Organisation, oid), conduct_on=(reported - timedelta(days=10)).date(),
            category=category, actor_kind=actor, actor_name="" if actor == FindingActor.ORGANISATION.value
            else _name(rng), source_category=rng.choice(list(FindingSource)).value,
            evidence="Uttalanden på föreningens möte, dokumenterade av förvaltningen.",
            by=reporters[officers[cid][0]], reporting_committee_id=cid, now=reported)
        session.flush()
        if withdraw:
            case = assess_finding(session, finding, confirm=True, reason="Uppmaningen till våld är styrkt.",
                                  by=coordinator, now=reported + timedelta(days=3))
            decide_case(session, case, withdraw=True, reason="Föreningen har uppmuntrat till våld; svaret "
                        "ändrar inte bedömningen.", by=coordinator, now=case.reply_deadline + timedelta(days=2))
            cases += 1
        elif n % 3 == 1:
            assess_finding(session, finding, confirm=False, reason="Uppgifterna kunde inte styrkas.", by=coordinator,
                           now=reported + timedelta(days=5))
        elif n % 3 == 2:
            assess_finding(session, finding, confirm=True, reason="Styrkt, men ger inte grund för indragning.",
                           by=coordinator, now=reported + timedelta(days=5))
    session.flush()
    counts["finding"] = counts.get("finding", 0) + sizes.findings
    counts["withdrawal_case"] = counts.get("withdrawal_case", 0) + cases
    assert session.scalar(select(func.count()).select_from(WithdrawalCase)
                          .where(WithdrawalCase.status == "withdrawn")) >= cases


# The benchmark officer's API token, for the API page: only its hash is stored, as always.
BENCH_API_TOKEN = "bp_bench-token-not-for-production-0123456789"


def _bench_api_token(session: Session, user_id: int, now: datetime, counts: dict) -> None:
    from portal.api.models import ApiToken
    from portal.api.tokens import hash_token

    session.add(ApiToken(user_id=user_id, name="benchmark", token_hash=hash_token(BENCH_API_TOKEN),
                         prefix=BENCH_API_TOKEN[:7], created_at=now - timedelta(days=1)))
    session.flush()
    counts["api_token"] = counts.get("api_token", 0) + 1


def _move_sequences_past_ids(session: Session, ids: _Ids) -> None:
    """PostgreSQL: ids were given explicitly, so the identity sequences must catch up."""
    if session.get_bind().dialect.name != "postgresql":
        return
    from portal.extensions import db

    for table in db.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key or table.c.id.type.python_type is not int:
            continue
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))


# --- command line ------------------------------------------------------------------------------

def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--now", type=lambda s: datetime.fromisoformat(s), default=None,
                        help="the date the history ends (default: today 08:00 UTC)")
    for f in fields(Sizes):
        parser.add_argument(f"--{f.name.replace('_', '-')}", dest=f.name, type=int, default=None,
                            help=f"override (1x: {f.default})")
    return parser.parse_args(argv)


def default_now() -> datetime:
    from portal.clock import utcnow

    return utcnow().replace(hour=8, minute=0, second=0, microsecond=0)


def refresh_statistics(engine) -> None:
    """On PostgreSQL, VACUUM ANALYZE as autovacuum would soon after such a load: without row
    statistics and a visibility map the planner guesses (one matching organisation instead of
    1,500) and index-only scans still read the table. SQLite keeps no statistics unless asked,
    and the application never asks, so it is left as it is."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    sizes = Sizes.at_scale(args.scale, **{f.name: getattr(args, f.name) for f in fields(Sizes)})
    from portal import create_app
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        counts = generate(db.session, sizes, seed=args.seed, now=args.now or default_now(),
                          progress=lambda m: print(f"  {m} ...", file=sys.stderr, flush=True))
        refresh_statistics(db.engine)
        elapsed = time.perf_counter() - started
    for table, n in sorted(counts.items()):
        print(f"{table:28} {n:>9,}")
    print(f"{'rows':28} {sum(counts.values()):>9,}  in {elapsed:.1f} s "
          f"({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
