"""Milestones know when their report was handed in (grants.followup: one rule for "overdue")

Revision ID: 0014_handed_in
Revises: 0013_naming
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_handed_in'
down_revision = '0013_naming'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_handed_in_at', sa.DateTime(), nullable=True))
    # A report counts as handed in while it is submitted or approved; an approved milestone whose
    # report row is missing (data loaded by hand) is handed in when it was approved.
    op.execute("""
        UPDATE milestone SET report_handed_in_at = COALESCE(
            (SELECT grantee_report.submitted_at FROM grantee_report
              WHERE grantee_report.milestone_id = milestone.id
                AND grantee_report.status IN ('submitted', 'approved')),
            milestone.report_approved_at)
    """)


def downgrade():
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_column('report_handed_in_at')
