"""Reviews: assigning officers to an application, the conflict-of-interest declaration (jäv)
that comes before scoring, the scores themselves and the application's weighted score."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from grants.models import Application, ApplicationStatus, DecisionOutcome, Review, ReviewScore
from grants.permissions import can_handle_application
from portal import audit
from portal.errors import Conflict, DomainError, PermissionDenied
from portal.models import User

# Reviews, the follow-up plan and the decision all work on an application in these statuses.
# A reviewer recommends one of the outcomes a decision can have.
RECOMMENDATIONS = tuple(o.value for o in DecisionOutcome)


def assign_reviewer(session: Session, application: Application, *, reviewer: User, by: User,
                    now: datetime) -> Review:
    if not can_handle_application(by, application):
        raise PermissionDenied(_("Only officers of the committee may assign reviewers."))
    if not can_handle_application(reviewer, application):
        raise DomainError(_("The reviewer must be an officer of the committee."), field="reviewer_id")
    if not application.is_under_review:
        raise DomainError(_("Only a submitted application can be reviewed."))
    if any(r.reviewer_id == reviewer.id for r in application.reviews):
        raise Conflict(_("This officer is already assigned."), field="reviewer_id")
    review = Review(application=application, reviewer_id=reviewer.id, assigned_at=now, assigned_by_id=by.id,
                    comment="")
    session.add(review)
    application.status = ApplicationStatus.IN_REVIEW.value
    session.flush()
    audit.record(session, actor=by, action="review.assigned", obj=review,
                 changes={"application_id": application.id, "reviewer_id": reviewer.id}, now=now)
    return review


def declare_conflict(session: Session, review: Review, *, has_conflict: bool, reason: str, by: User,
                     now: datetime) -> Review:
    """Jäv first: a reviewer declares before scoring; a declared conflict blocks scoring for good."""
    if review.reviewer_id != by.id:
        raise PermissionDenied(_("Only the reviewer declares their own conflict of interest."))
    if review.has_conflict is not None:
        raise DomainError(_("The conflict of interest is already declared."))
    if has_conflict and not (reason or "").strip():
        raise DomainError(_("Describe the conflict of interest."), field="conflict_reason")
    review.has_conflict = has_conflict
    review.conflict_reason = (reason or "").strip() or None
    review.declared_at = now
    audit.record(session, actor=by, action="review.conflict_declared", obj=review,
                 changes={"has_conflict": has_conflict}, reason=review.conflict_reason, now=now)
    return review


def submit_review(session: Session, review: Review, *, scores: dict[int, tuple[int, str]], recommendation: str,
                  comment: str, by: User, now: datetime) -> Review:
    if review.reviewer_id != by.id:
        raise PermissionDenied(_("Only the assigned reviewer may score."))
    if review.has_conflict is None:
        raise DomainError(_("Declare conflict of interest before scoring."))
    if review.has_conflict:
        raise DomainError(_("You declared a conflict of interest and cannot score this application."))
    if review.submitted_at is not None:
        raise DomainError(_("The review is already submitted."))
    if not review.application.is_under_review:
        raise DomainError(_("Only a submitted application can be reviewed."))
    criteria = review.application.programme.criteria
    for criterion in criteria:
        if criterion.id not in scores or scores[criterion.id][0] is None:
            raise DomainError(_("Score every criterion."), field=f"score_{criterion.id}")
        if not 0 <= scores[criterion.id][0] <= 5:
            raise DomainError(_("A score is from 0 to 5."), field=f"score_{criterion.id}")
    if recommendation not in RECOMMENDATIONS:
        raise DomainError(_("Choose a recommendation."), field="recommendation")
    review.scores = [ReviewScore(criterion_id=c.id, score=scores[c.id][0], comment=scores[c.id][1] or "")
                     for c in criteria]
    review.recommendation = recommendation
    review.comment = (comment or "").strip()
    review.submitted_at = now
    audit.record(session, actor=by, action="review.submitted", obj=review,
                 changes={"scores": {c.id: scores[c.id][0] for c in criteria}, "recommendation": recommendation},
                 now=now)
    return review


def weighted_score(application: Application) -> Decimal | None:
    """sum(score*weight)/sum(weight) over submitted reviews of reviewers without a conflict."""
    weights = {c.id: c.weight for c in application.programme.criteria}
    total, weight_sum = 0, 0
    for review in application.reviews:
        if review.has_conflict or review.submitted_at is None:
            continue
        for score in review.scores:
            weight = weights.get(score.criterion_id, 0)
            total += score.score * weight
            weight_sum += weight
    if not weight_sum:
        return None
    return (Decimal(total) / Decimal(weight_sum)).quantize(Decimal("0.01"))
