"""The one way the application writes CSV: every writer comes from `csv_writer`, which neutralises
cells a spreadsheet would run as a formula (OWASP "CSV injection").

defusedcsv (a drop-in for the csv module) does the work: a text cell starting with `=`, `+`, `-`,
`@`, `|` or `%` gets a leading apostrophe (`=HYPERLINK(...)` is written `'=HYPERLINK(...)`, shown
as text), and a `|` in it is escaped. A cell that is only a number (`-?[0-9,.]+`: "-1234,50",
"-12.5") is left alone, so the negative amounts and shares the exports write stay numbers a
spreadsheet reads. defusedcsv 3.0 lets a cell starting with a tab or a carriage return pass,
which OWASP also lists; those get the same apostrophe here before defusedcsv sees them."""
from __future__ import annotations

from typing import Any, Iterable, TextIO

from defusedcsv import csv as defusedcsv

_ALSO_LEADING = ("\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_ALSO_LEADING):
        return "'" + value
    return value


class _Writer:
    def __init__(self, out: TextIO, **fmtparams):
        self._writer = defusedcsv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([_cell(value) for value in row])


def csv_writer(out: TextIO, **fmtparams) -> _Writer:
    """A csv.writer over `out` (same format parameters) whose cells cannot be formulas."""
    return _Writer(out, **fmtparams)
