"""Normalisers on phrases written for these tests (none is taken from the corpus).

Each normaliser turns the text of one tagged span into the machine-readable value a
reader relies on ("how many", "how long", "how much"), so each rule gets a case:
spelled-out numbers, bracketed duplicates, ranges, currencies, plural units, ISO 8601.
"""

import pytest

from eula_parse.entities import (
    iso_duration,
    normalize_date,
    normalize_duration,
    normalize_limit,
    normalize_money,
    normalize_url,
    normalize_version,
    parse_number,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ninety", 90),
        ("one hundred", 100),
        ("one hundred and twenty", 120),
        ("twenty-five", 25),
        ("Forty Two", 42),
        ("three thousand four hundred", 3400),
        ("a hundred", 100),
        ("two million", 2_000_000),
        ("1,000", 1000),
        ("12,500.75", 12500.75),
        ("1.000,50", 1000.5),
        ("2.5", 2.5),
        ("17", 17),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "banana", "one banana", "a", "twenty-something"])
def test_parse_number_rejects_non_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sixty (60) days", {"amount": 60, "unit": "day", "iso": "P60D"}),
        ("45 (forty-five) days", {"amount": 45, "unit": "day", "iso": "P45D"}),
        ("one hundred days", {"amount": 100, "unit": "day", "iso": "P100D"}),
        ("six months", {"amount": 6, "unit": "month", "iso": "P6M"}),
        ("2 weeks", {"amount": 2, "unit": "week", "iso": "P2W"}),
        ("1 year", {"amount": 1, "unit": "year", "iso": "P1Y"}),
        ("twenty-four hours", {"amount": 24, "unit": "hour", "iso": "PT24H"}),
        ("1.5 years", {"amount": 1.5, "unit": "year", "iso": "P1.5Y"}),
        ("14-day", {"amount": 14, "unit": "day", "iso": "P14D"}),
    ],
)
def test_duration(text, expected):
    assert normalize_duration(text) == expected


def test_duration_business_days():
    value = normalize_duration("five business days")
    assert value == {"amount": 5, "unit": "day", "iso": "P5D", "business": True}
    assert "business" not in normalize_duration("five calendar days")
    assert normalize_duration("10 working days")["business"] is True


@pytest.mark.parametrize(
    "text, low, high, unit",
    [
        ("15 to 45 days", 15, 45, "day"),
        ("two-three weeks", 2, 3, "week"),
        ("between 3 and 5 years", 3, 5, "year"),
        ("6–12 months", 6, 12, "month"),
    ],
)
def test_duration_ranges(text, low, high, unit):
    value = normalize_duration(text)
    assert (value["min"], value["max"], value["unit"], value["amount"]) == (low, high, unit, None)
    assert value["iso_range"] == [iso_duration(low, unit), iso_duration(high, unit)]


def test_duration_disagreeing_duplicate_is_reported_not_guessed():
    value = normalize_duration("ten (12) days")
    assert value["amount"] == 10 and value["conflict"] == [10, 12]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("P45D", {"iso": "P45D", "amount": 45, "unit": "day"}),
        ("P3Y", {"iso": "P3Y", "amount": 3, "unit": "year"}),
        ("PT36H", {"iso": "PT36H", "amount": 36, "unit": "hour"}),
        ("PT15M", {"iso": "PT15M", "amount": 15, "unit": "minute"}),
        ("P1Y6M", {"iso": "P1Y6M", "parts": {"year": 1, "month": 6}}),
    ],
)
def test_iso_8601_durations_read_back(text, expected):
    assert normalize_duration(text) == expected


@pytest.mark.parametrize(
    "amount, unit, iso",
    [(90, "day", "P90D"), (10, "year", "P10Y"), (3, "week", "P3W"), (2, "month", "P2M"), (8, "hour", "PT8H"), (30, "minute", "PT30M")],
)
def test_iso_duration_output(amount, unit, iso):
    assert iso_duration(amount, unit) == iso
    assert normalize_duration(iso)["amount"] == amount


@pytest.mark.parametrize(
    "text, currency, amount",
    [
        ("$1,000", "USD", 1000),
        ("USD 5", "USD", 5),
        ("US$ 250", "USD", 250),
        ("€ 75", "EUR", 75),
        ("€1.500,00", "EUR", 1500),
        ("GBP 40 (forty pounds)", "GBP", 40),
        ("EUR 250 (two hundred and fifty euros)", "EUR", 250),
        ("DKK 10.000", "DKK", 10000),
        ("two hundred euros", "EUR", 200),
        ("3 million dollars", "USD", 3_000_000),
        ("$2.5 million", "USD", 2_500_000),
        ("500 EUR", "EUR", 500),
    ],
)
def test_money(text, currency, amount):
    value = normalize_money(text)
    assert (value["currency"], value["amount"]) == (currency, amount)
    assert "conflict" not in value


def test_money_disagreeing_words_are_flagged():
    value = normalize_money("USD 300 (three thousand US dollars)")
    assert value["amount"] == 300 and value["conflict"] == [300, 3000]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("two (2) servers", {"amount": 2, "bound": "exact", "unit": "server"}),
        ("twelve workstations", {"amount": 12, "bound": "exact", "unit": "workstation"}),
        ("unlimited number of workstations", {"amount": None, "bound": "unlimited", "unit": "workstation"}),
        ("unrestricted number of copies", {"amount": None, "bound": "unlimited", "unit": "copy"}),
        ("up to 8 attached door controllers", {"amount": 8, "bound": "max", "unit": "door controller"}),
        ("no more than twelve (12) copies", {"amount": 12, "bound": "max", "unit": "copy"}),
        ("at most 4 boxes", {"amount": 4, "bound": "max", "unit": "box"}),
        ("more than 32 channels", {"amount": 32, "bound": "min_exclusive", "unit": "channel"}),
        ("at least three named users", {"amount": 3, "bound": "min", "unit": "named user"}),
        ("fewer than 5 sites", {"amount": 5, "bound": "max_exclusive", "unit": "site"}),
        ("ten or more facilities", {"amount": 10, "bound": "min", "unit": "facility"}),
        ("one or more MAC addresses", {"amount": 1, "bound": "min", "unit": "MAC address"}),
        ("as many sensors", {"amount": None, "bound": "max", "unit": "sensor"}),
        ("forty percent", {"amount": 40, "bound": "exact", "unit": "percent"}),
        ("more than 25%", {"amount": 25, "bound": "min_exclusive", "unit": "percent"}),
    ],
)
def test_limit(text, expected):
    assert normalize_limit(text) == expected


def test_limit_per_unit():
    value = normalize_limit("one user license per activated badge reader")
    assert value == {"amount": 1, "bound": "exact", "unit": "user license", "per": "badge reader"}
    assert normalize_limit("two seats per registered analyst")["per"] == "analyst"


def test_limit_range():
    value = normalize_limit("between 5 and 10 licenses")
    assert (value["bound"], value["min"], value["max"], value["unit"]) == ("range", 5, 10, "license")


def test_limit_keeps_a_defined_term_whole():
    # "designated site" could be a defined term: then the participle is part of the unit
    assert normalize_limit("one designated site")["unit"] == "site"
    assert normalize_limit("one designated site", keep_units={"designated site"})["unit"] == "designated site"


@pytest.mark.parametrize(
    "plural, singular",
    [("addresses", "address"), ("copies", "copy"), ("licenses", "license"), ("boxes", "box"),
     ("plug-ins", "plug-in"), ("switches", "switch"), ("devices", "device"), ("gateways", "gateway")],
)
def test_limit_plural_units(plural, singular):
    assert normalize_limit(f"three {plural}")["unit"] == singular


@pytest.mark.parametrize(
    "text, expected",
    [
        ("version 2019 R3", {"version": "2019 R3", "year": 2019, "release": 3}),
        ("R2 2021 version", {"version": "2021 R2", "year": 2021, "release": 2}),
        ("2023 R1", {"version": "2023 R1", "year": 2023, "release": 1}),
        ("2020 versions", {"version": "2020", "year": 2020}),
        ("version 4.2.1", {"version": "4.2.1"}),
    ],
)
def test_version(text, expected):
    assert normalize_version(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("March 3, 2021", {"date": "2021-03-03"}),
        ("3 March 2021", {"date": "2021-03-03"}),
        ("21st of October 2019", {"date": "2019-10-21"}),
        ("2021-03-04", {"date": "2021-03-04"}),
        ("03/04/2021", {"date": "2021-03-04"}),
        ("date of first installation", {"anchor": "installation"}),
        ("date of delivery", {"anchor": "delivery"}),
    ],
)
def test_date(text, expected):
    assert normalize_date(text) == expected


def test_date_rejects_impossible_dates():
    assert normalize_date("13/40/2020") is None


def test_url_joins_a_line_break():
    value = normalize_url("https://example.org/docs/licence-\n terms/v2/")
    assert value == {"url": "https://example.org/docs/licence-terms/v2/", "host": "example.org"}
    assert normalize_url("shop.example.co.uk/terms")["host"] == "shop.example.co.uk"
