"""Money and dates as a Swedish reader expects them, whatever the amount."""
from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale

from portal.formatting import format_d, format_money


@pytest.mark.parametrize("ore, shown", [
    (0, "0,00\u00a0kr"), (5, "0,05\u00a0kr"), (123450, "1\u00a0234,50\u00a0kr"),
    (100_000_000_00, "100\u00a0000\u00a0000,00\u00a0kr"), (-250000, "-2\u00a0500,00\u00a0kr"),
])
def test_amounts_in_ore_read_as_swedish_kronor(ore, shown):
    assert format_money(ore) == shown


def test_money_agrees_with_the_swedish_locale_data_for_many_amounts():
    # The hand-written formatter must say what Babel's Swedish pattern says.
    for ore in [*range(-1005, 1005, 7), 999_99, 1_000_00, 12_345_678_90, -98_765_43]:
        babel = format_decimal(Decimal(ore) / 100, format="#,##0.00", locale="sv_SE").replace("\u202f", "\u00a0")
        assert format_money(ore) == f"{babel}\u00a0kr"


def test_no_amount_is_shown_as_nothing():
    assert format_money(None) == ""


def test_dates_are_iso_in_swedish_and_spelled_out_in_english(app):
    with app.test_request_context():
        with force_locale("sv"):
            assert format_d(date(2027, 3, 1)) == "2027-03-01"
        with force_locale("en"):
            assert format_d(date(2027, 3, 1)) == "Mar 1, 2027"


def test_times_agree_with_babel_in_the_city_time_zone_across_daylight_saving(app):
    # The hand-written Swedish format must say what Flask-Babel says (zone and pattern).
    from datetime import datetime, timedelta

    from flask_babel import format_datetime

    from portal.formatting import format_dt

    with app.test_request_context(), force_locale("sv"):
        # Every 37 minutes through both 2026 daylight-saving changes and a year end.
        for start in (datetime(2026, 3, 28, 20, 0), datetime(2026, 10, 24, 20, 0), datetime(2026, 12, 31, 20, 0)):
            for step in range(0, 60 * 30, 37):
                moment = start + timedelta(minutes=step)
                assert format_dt(moment) == format_datetime(moment, "short")
        assert format_dt(datetime(2026, 7, 1, 22, 30)) == "2026-07-02 00:30"
    with app.test_request_context(), force_locale("en"):
        assert format_dt(datetime(2026, 7, 1, 22, 30)) == "7/2/26, 12:30\u202fAM"
    assert format_dt(None) == ""
