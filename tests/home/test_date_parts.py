"""DatePartsField: a date typed as day, month and year, with the NHS.UK error messages."""

from datetime import date

import pytest
from django import forms

from joinedcare.home.forms import DatePartsField


class _Form(forms.Form):
    when = DatePartsField(label="Review date")
    due = DatePartsField(label="Action 1: due date", required=False)


def _errors(day="", month="", year="", **due) -> tuple[str, tuple]:
    form = _Form({"when_day": day, "when_month": month, "when_year": year, **due})
    assert not form.is_valid()
    [error] = form.errors.as_data()["when"]
    return error.messages[0], error.params["parts"]


@pytest.mark.parametrize(
    "typed, cleaned",
    [(("27", "3", "2027"), date(2027, 3, 27)), ((" 01", "02 ", "2028"), date(2028, 2, 1))],
)
def test_date_parts_cleans_to_a_date(typed, cleaned):
    form = _Form(dict(zip(("when_day", "when_month", "when_year"), typed, strict=True)))

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"when": cleaned, "due": None}


@pytest.mark.parametrize(
    "typed, message, parts",
    [
        (("", "", ""), "Enter the review date", ("day", "month", "year")),
        (("27", "", "2027"), "Review date must include a month", ("month",)),
        (("", "3", ""), "Review date must include a day and year", ("day", "year")),
        (("31", "2", "2027"), "Review date must be a real date", ("day", "month", "year")),
        (("29", "2", "2027"), "Review date must be a real date", ("day", "month", "year")),
        (("32", "3", "2027"), "Review date must be a real date", ("day",)),
        (("1", "13", "2027"), "Review date must be a real date", ("month",)),
        (("1", "March", "2027"), "Review date must be a real date", ("month",)),
        (("1", "1_0", "2027"), "Review date must be a real date", ("month",)),
        (("1", "3", "27"), "Review date year must include 4 numbers", ("year",)),
    ],
)
def test_date_parts_errors_name_the_field_and_the_boxes(typed, message, parts):
    assert _errors(*typed) == (message, parts)


def test_date_parts_optional_may_be_blank_but_not_partial():
    form = _Form({"when_day": "1", "when_month": "1", "when_year": "2028", "due_month": "4"})

    assert not form.is_valid()
    assert form.errors["due"] == ["Action 1: due date must include a day and year"]


def test_date_parts_shows_a_date_as_day_month_and_year():
    form = _Form(initial={"when": date(2027, 3, 9)})

    html = str(form["when"])

    assert 'name="when_day" value="9"' in html and 'name="when_month" value="3"' in html
    assert 'name="when_year" value="2027"' in html
    assert 'type="date"' not in html and "nhsuk-input--error" not in html
