"""Stop payment on a confirmed finding (issue 15, point 1): a finding can be lifted, a tranche can be
stopped, and each stop-payment decision is kept with its letter

Revision ID: 0016_stop_payment
Revises: 0015_sessions
Create Date: 2026-12-02 13:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_stop_payment'
down_revision = '0015_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lifted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('lift_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('tranche', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stopped_at', sa.DateTime(), nullable=True))
    op.create_table(
        'payment_stop',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('grant_id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('stopped_at', sa.DateTime(), nullable=False),
        sa.Column('stopped_amount', sa.BigInteger(), nullable=False),
        sa.Column('letter_locale', sa.String(length=5), nullable=False),
        sa.Column('letter_pdf', sa.LargeBinary(), nullable=True),
        sa.Column('lifted_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['grant_id'], ['grant_award.id'], name=op.f('fk_payment_stop_grant_id_grant_award'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_payment_stop_finding_id_finding'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_stop')),
        sa.UniqueConstraint('grant_id', 'finding_id', name=op.f('uq_payment_stop_grant_id')),
    )
    with op.batch_alter_table('payment_stop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_stop_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_stop_finding_id'), ['finding_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_stop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_stop_finding_id'))
        batch_op.drop_index(batch_op.f('ix_payment_stop_grant_id'))
    op.drop_table('payment_stop')
    with op.batch_alter_table('tranche', schema=None) as batch_op:
        batch_op.drop_column('stopped_at')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('lift_reason')
        batch_op.drop_column('lifted_at')
