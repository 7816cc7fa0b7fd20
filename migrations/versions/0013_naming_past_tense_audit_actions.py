"""Audit actions in the past tense: rename the stored action names

Revision ID: 0013_naming
Revises: 0012_perflists
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_naming'
down_revision = '0012_perflists'
branch_labels = None
depends_on = None

# Old name -> new name. The code writes only the new names from this revision on.
RENAMED = {
    'rule_set.publish': 'rule_set.published',
    'screening.run': 'screening.performed',
    'screening.resolve': 'screening.resolved',
    'finding.report': 'finding.reported',
    'finding.attachment_add': 'finding.attachment_added',
    'finding.confirm': 'finding.confirmed',
    'finding.dismiss': 'finding.dismissed',
    'withdrawal_case.open': 'withdrawal_case.opened',
    'withdrawal_case.reply': 'withdrawal_case.replied',
    'withdrawal_case.withdraw': 'withdrawal_case.withdrawn',
    'withdrawal_case.close': 'withdrawal_case.closed',
    'withdrawal.grants': 'withdrawal_case.support_withdrawn',
    'organisation.status': 'organisation.status_changed',
    'organisation.reinstate': 'organisation.reinstated',
    'grant.withdraw': 'grant.withdrawn',
    'repayment_claim.propose': 'repayment_claim.proposed',
    # The withdrawal wrote these two; cancelling by hand and the demo already wrote the past tense.
    'tranche.cancel': 'tranche.cancelled',
    'application.close_ineligible': 'application.closed_ineligible',
}
# Merged names are not split again on downgrade: the events no longer say which spelling they had,
# and the earlier code wrote (and reads) the past-tense spelling too.
MERGED = {'tranche.cancel', 'application.close_ineligible'}

AUDIT_TABLE = 'audit_event'


def upgrade():
    _rename(RENAMED)


def downgrade():
    _rename({new: old for old, new in RENAMED.items() if old not in MERGED})


def _rename(names: dict) -> None:
    """Audit events are append-only, enforced by triggers (0001_foundation). This is the one sanctioned
    change to them: the triggers are dropped, the names updated and the triggers created again from
    the definitions the database itself reported, all in the migration's transaction."""
    bind = op.get_bind()
    triggers = _trigger_definitions(bind)
    if not triggers:
        raise RuntimeError(f'{AUDIT_TABLE} has no append-only trigger; refusing to rename its rows')
    for name in triggers:
        op.execute(_drop_trigger(bind, name))
    statement = sa.text(f'UPDATE {AUDIT_TABLE} SET action = :new WHERE action = :old')
    for old, new in names.items():
        bind.execute(statement, {'old': old, 'new': new})
    for definition in triggers.values():
        op.execute(definition)


def _trigger_definitions(bind) -> dict:
    """{trigger name: the SQL that creates it exactly as it is now}."""
    if bind.dialect.name == 'postgresql':
        rows = bind.execute(sa.text(
            "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "WHERE t.tgrelid = to_regclass(:table) AND NOT t.tgisinternal ORDER BY t.tgname"),
            {'table': AUDIT_TABLE})
    else:
        rows = bind.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table ORDER BY name"),
            {'table': AUDIT_TABLE})
    return {name: definition for name, definition in rows}


def _drop_trigger(bind, name: str) -> str:
    if bind.dialect.name == 'postgresql':
        return f'DROP TRIGGER {name} ON {AUDIT_TABLE}'
    return f'DROP TRIGGER {name}'
