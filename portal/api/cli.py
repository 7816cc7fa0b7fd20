"""`flask users token create|revoke|list`, a sub-group of the shell's `users` group."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal import clock
from portal.api import tokens as token_service
from portal.api.models import ApiToken
from portal.auth.services import find_user_by_email
from portal.errors import DomainError
from portal.extensions import db

token_cli = AppGroup("token", help="Personal API tokens.")


def _user(email: str):
    user = find_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email!r}.")
    return user


@token_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True, help="What the token is for.")
@click.option("--days", type=int, default=None, help="Valid for this many days (default: until revoked).")
def token_create(email: str, name: str, days: int | None) -> None:
    """Create a token and print it: it is shown this once only."""
    user = _user(email)
    try:
        _row, raw = token_service.create_token(db.session, user, name=name, days=days, by=None, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message)
    db.session.commit()
    click.echo(raw)


@token_cli.command("revoke")
@click.option("--email", required=True)
@click.option("--name", required=True, help="The token's name.")
def token_revoke(email: str, name: str) -> None:
    """Revoke the user's usable tokens with this name."""
    user = _user(email)
    now = clock.now()
    rows = [t for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == name))
            if t.revoked_at is None]
    if not rows:
        raise click.ClickException(f"{email} has no unrevoked token named {name!r}.")
    for token in rows:
        token_service.revoke_token(db.session, token, by=None, now=now)
    db.session.commit()
    click.echo(f"Revoked {len(rows)} token(s).")
