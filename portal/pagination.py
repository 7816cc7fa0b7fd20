"""Pages of lists built from chosen columns instead of ORM objects.

A list page's cost is mostly Python building objects and one round trip per query, so the busy
lists select only the columns they show and fold their lookups into the page's own query."""
from __future__ import annotations

from typing import Any, Callable

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session

TOTAL_COLUMN = "total_rows"


class RowPagination(Pagination):
    """Flask-SQLAlchemy's pagination (the same `page` argument, the same attributes for the pagination
    macro) over a select of columns; each item is `make_item(row)`.

    With `total_in_rows` the select carries `count(*) OVER ()`, so a page costs one query instead of
    two; that suits a filter that reads every matching row anyway (a text search). The total is counted
    apart only for a page past the end, which has no row to carry it.

    `per_row(page)` builds the final select over the page's rows (a subquery): for columns read one row
    at a time (a correlated subquery), which then run for the page only and not for every row sorted."""

    def _query_items(self) -> list[Any]:
        args = self._query_args
        stmt: Select = args["select"]
        if args["total_in_rows"]:
            stmt = stmt.add_columns(func.count().over().label(TOTAL_COLUMN))
        stmt = stmt.limit(self.per_page).offset(self._query_offset)
        if args["per_row"] is not None:
            page = stmt.subquery()
            stmt = args["per_row"](page)
            if args["total_in_rows"] and TOTAL_COLUMN not in stmt.selected_columns:
                stmt = stmt.add_columns(page.c[TOTAL_COLUMN])
        rows = args["session"].execute(stmt).all()
        self._total_from_rows = getattr(rows[0], TOTAL_COLUMN) if rows and args["total_in_rows"] else None
        return [args["make_item"](row) for row in rows]

    def _query_count(self) -> int:
        if self._total_from_rows is not None:
            return self._total_from_rows
        if self._query_args["total_in_rows"] and self.page == 1:
            return 0  # the first page is empty: nothing matches
        stmt = self._query_args["count_select"]
        counted = (self._query_args["select"] if stmt is None else stmt).order_by(None).subquery()
        return self._query_args["session"].execute(select(func.count()).select_from(counted)).scalar()


def paginate_rows(session: Session, stmt: Select, make_item: Callable[[Any], Any], *, per_page: int,
                  page: int | None = None,
                  total_in_rows: bool = False, count_select: Select | None = None,
                  per_row: Callable[[Subquery], Select] | None = None) -> RowPagination:
    """One page of `stmt` (ordered); without `page`, its number is read from the request as `db.paginate` does.
    `count_select`: the same rows without the shown columns' joins, for a cheaper count."""
    return RowPagination(page=page, per_page=per_page, max_per_page=None, error_out=False, select=stmt, session=session,
                         make_item=make_item, total_in_rows=total_in_rows, count_select=count_select,
                         per_row=per_row)
