from datetime import date

import pytest

import ecocluster


@pytest.mark.parametrize("value,earliest,latest", [
    ("2021", date(2021, 1, 1), date(2021, 12, 31)),
    ("2021-09", date(2021, 9, 1), date(2021, 9, 30)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
    ("2021-09-15", date(2021, 9, 15), date(2021, 9, 15)),
])
def test_date_bounds(value, earliest, latest):
    assert ecocluster.date_bounds(value) == (earliest, latest)
    assert ecocluster.earliest_day(value) == earliest and ecocluster.latest_day(value) == latest


@pytest.mark.parametrize("value", ["", "21", "2021-9", "2021-13", "2021-02-30", "2021-09-15T00:00", " 2021"])
def test_date_bounds_refuses_what_is_not_a_real_reduced_precision_date(value):
    with pytest.raises(ValueError):
        ecocluster.date_bounds(value)


def test_date_bounds_maps_over_a_pandas_column_skipping_missing_values():
    import pandas as pd

    s = pd.Series(["2021", pd.NA, "2021-09-15"], dtype="string")
    latest = s.map(ecocluster.latest_day, na_action="ignore").tolist()
    assert latest == [date(2021, 12, 31), pd.NA, date(2021, 9, 15)]


def test_the_validators_vectorised_bounds_agree_with_the_library():
    import polars as pl

    from ecocluster.base.dates import date_bounds, earliest_day_expr, latest_day_expr

    values = ["2021", "2021-09", "2021-09-15", "2024-02", "2023-02", "2000-02", "1900-02", "2023-12-31",
              "2023-02-30", "2023-13", "2021-04-31"]
    frame = pl.DataFrame({"d": values}).select(
        earliest_day_expr(pl.col("d")).alias("lo"), latest_day_expr(pl.col("d")).alias("hi"))
    for value, lo, hi in zip(values, frame["lo"], frame["hi"], strict=True):
        try:
            expected = date_bounds(value)
        except ValueError:
            expected = (None, None)
        assert (lo, hi) == expected, value
