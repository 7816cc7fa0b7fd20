"""A page change that loses a race to another transaction is refused with a message, never a 500
(issue 14, point 1): here another connection changes the application between the page's read
and its commit, so the versioned UPDATE finds no row."""
from __future__ import annotations

from flask import get_flashed_messages
from sqlalchemy import text

from portal.extensions import db
from portal.forms_util import apply_change


def test_a_page_change_that_lost_to_a_concurrent_edit_is_refused_with_a_message(app, factory, session, now):
    programme = factory.programme(factory.committee())
    application = factory.application(programme, factory.organisation())
    application_id = application.id
    session.commit()

    def change():
        loaded = session.get(type(application), application_id)
        with db.engine.begin() as other:  # a colleague's transaction, committed first
            other.execute(text("UPDATE application SET version = version + 1, title = 'Deras' WHERE id = :id"),
                          {"id": application_id})
        loaded.title = "Min titel"

    with app.test_request_context("/"):
        assert apply_change(change, "Sparat.") is None
        messages = get_flashed_messages(with_categories=True)
    assert [category for category, _message in messages] == ["error"]
    session.expire_all()
    assert session.get(type(application), application_id).title == "Deras"
