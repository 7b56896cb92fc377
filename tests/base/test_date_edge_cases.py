"""ecocluster.base.dates: behaviour the mutation score found unguarded (scripts/mutation.py, issue 18)."""

from __future__ import annotations

import pytest

from ecocluster.base.dates import date_bounds


@pytest.mark.parametrize("value", [None, 2021, 20210915, b"2021"])
def test_a_value_that_is_not_text_is_a_value_error_saying_which_forms_are_dates(value):
    """Guards date_bounds: a non-string is refused as ValueError (never TypeError), naming the three forms."""
    with pytest.raises(ValueError) as e:
        date_bounds(value)  # type: ignore[arg-type]
    assert str(e.value) == f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"


@pytest.mark.parametrize("value", ["2021-9", "2021-09-15T00:00", ""])
def test_a_string_of_another_form_names_the_three_forms(value):
    """Guards date_bounds: the message of a malformed date."""
    with pytest.raises(ValueError, match=r"^'.*' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD$"):
        date_bounds(value)


@pytest.mark.parametrize("value", ["2021-02-30", "2021-13", "2021-00", "2023-02-29", "2021-04-31", "2021-13-01"])
def test_an_impossible_day_or_month_says_it_is_not_a_real_calendar_date(value):
    """Guards date_bounds: the message of a well-formed but impossible date."""
    with pytest.raises(ValueError) as e:
        date_bounds(value)
    assert str(e.value) == f"{value!r} is not a real calendar date"
