import pytest

from organisations.validation import (InvalidNumber, clean_org_number, clean_payment_account, format_org_number)


def test_a_valid_organisation_number_is_stored_as_ten_digits_and_shown_with_a_dash():
    assert clean_org_number("802412-3450") == "8024123450"
    assert clean_org_number(" 8024123450 ") == "8024123450"
    assert format_org_number("8024123450") == "802412-3450"


@pytest.mark.parametrize("value, words", [
    ("802412-3451", "kontrollsiffran"),
    ("80241-3450", "10 siffror"),
    ("802412-34500", "10 siffror"),
    ("80241A-3450", "bara av siffror"),
    ("", "Ange"),
])
def test_each_kind_of_mistake_in_an_organisation_number_has_its_own_message(app, value, words):
    # Messages in Swedish, the default language of the interface.
    with pytest.raises(InvalidNumber) as error:
        clean_org_number(value)
    assert words in error.value.message
    assert error.value.field == "org_number"


def test_valid_bankgiro_and_plusgiro_are_accepted_as_digits():
    assert clean_payment_account("bankgiro", "5050-1055") == "50501055"
    assert clean_payment_account("plusgiro", "90 20 03-3") == "9020033"
    assert clean_payment_account("bankgiro", "") is None


@pytest.mark.parametrize("kind, value, words", [
    ("bankgiro", "5050-1056", "kontrollsiffra"),
    ("bankgiro", "505-105", "7 eller 8 siffror"),
    ("bankgiro", "5050-10555", "7 eller 8 siffror"),
    ("plusgiro", "1", "2 till 8 siffror"),
    ("plusgiro", "90 20 03-4", "kontrollsiffra"),
    ("bankgiro", "5050-1O55", "bara innehålla siffror"),
])
def test_wrong_payment_accounts_are_refused_with_a_clear_message(app, kind, value, words):
    with pytest.raises(InvalidNumber) as error:
        clean_payment_account(kind, value)
    assert words in error.value.message
