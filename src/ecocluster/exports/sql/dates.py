"""The date rule and the date bounds in SQL, written once for every database the exports write.

A reduced-precision date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) is valid when it has that form, names a
real calendar day and lies in the years the data model holds: 1000 to 9999-12-30, the verdict of
`ecocluster validate` (rules `date-invalid` and `date-out-of-range`; tests/exports/test_date_rule.py holds the
two together). `is_date` states it in the SQL that PostgreSQL, SQLite and DuckDB all evaluate: no
regular expression (SQLite has none built in), `trim(x, '0123456789')` for "digits only", and CASE
so that the casts to integer only ever see digits (PostgreSQL raises on `CAST('ab' AS INTEGER)`).

SQLite and DuckDB state it in a CHECK on each date column; PostgreSQL once, in the body of a
function behind a domain (`pg_prelude`), which every date column of the PostgreSQL files has for
its type.

The bounds (`<date>_earliest`, `<date>_latest`) are computed by the database from the date:
generated columns, text in SQLite, DATE in DuckDB (virtual) and PostgreSQL (stored, through two
immutable functions). Each expression gives NULL, never an error, for a value that is not a date,
so it is the date's own constraint that refuses it.
"""

from __future__ import annotations

from ...base.escape import quote_ident, quote_literal

# The domain and functions of the PostgreSQL files, in the dataset's schema.
DOMAIN = "reduced_date"
IS_DATE, FIRST_DAY, LAST_DAY = "is_reduced_date", "earliest_day", "latest_day"
# What PostgreSQL and SQLite print when a date is refused: the name of the constraint (at most 63 bytes).
RULE_NAME = "YYYY, YYYY-MM or YYYY-MM-DD: a real day from 1000 to 9999-12-30"
RULE_TEXT = ("A date of reduced precision: YYYY, YYYY-MM or YYYY-MM-DD, a real calendar day, from the year "
             "1000 to 9999-12-30 (ecocluster validate says the same).")


def _year(col: str) -> str:
    return f"CAST(substr({col}, 1, 4) AS INTEGER)"


def days_in_month(col: str) -> str:
    """The number of days of the month of `col` (its digits already checked); 31 when it has no month."""
    y = _year(col)
    leap = f"({y} % 4 = 0 AND ({y} % 100 <> 0 OR {y} % 400 = 0))"
    return (f"CASE substr({col}, 6, 2) WHEN '02' THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
            f"WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30 ELSE 31 END")


def is_date(col: str) -> str:
    """True exactly for the valid dates, false for any other text, NULL for NULL (which a CHECK passes).

    The shape first (digits and dashes where they belong), with text functions that cannot fail; then
    the ranges, with integer casts that only ever see digits: PostgreSQL and DuckDB raise on
    `CAST('ab' AS INTEGER)`, and a CASE is the one construct all three evaluate in order (DuckDB
    evaluates both sides of an OR). Comparisons rather than IN lists: SQLite builds an IN list anew
    each time an INSERT statement runs.
    """
    y, m, d = f"substr({col}, 1, 4)", f"substr({col}, 6, 2)", f"substr({col}, 9, 2)"

    def digits(*parts: str) -> str:
        return f"trim({' || '.join(parts)}, '0123456789') = ''"

    shape = (f"CASE length({col}) WHEN 4 THEN {digits(col)}"
             f" WHEN 7 THEN substr({col}, 5, 1) = '-' AND {digits(y, m)}"
             f" WHEN 10 THEN substr({col}, 5, 1) = '-' AND substr({col}, 8, 1) = '-' AND {digits(y, m, d)}"
             " ELSE FALSE END")
    return (f"CASE WHEN {col} IS NULL THEN NULL WHEN NOT ({shape}) THEN FALSE"
            f" WHEN {_year(col)} < 1000 OR {col} = '9999' OR {col} = '9999-12' OR {col} = '9999-12-31' THEN FALSE"
            f" WHEN length({col}) = 4 THEN TRUE"
            f" WHEN CAST({m} AS INTEGER) NOT BETWEEN 1 AND 12 THEN FALSE"
            f" WHEN length({col}) = 7 THEN TRUE"
            f" ELSE CAST({d} AS INTEGER) BETWEEN 1 AND {days_in_month(col)} END")


def check(col_name: str) -> str:
    """The date rule as a named column constraint (SQLite and DuckDB)."""
    return f"CONSTRAINT {quote_ident(f'{col_name}: {RULE_NAME}')} CHECK ({is_date(quote_ident(col_name))})"


def bounds(col_name: str, dialect: str) -> tuple[str, str]:
    """The first and last day of a date column, as the generated columns of `dialect` compute them."""
    col = quote_ident(col_name)
    if dialect == "postgres":
        return f"{quote_ident(FIRST_DAY)}({col})", f"{quote_ident(LAST_DAY)}({col})"
    if dialect == "duckdb":  # TRY_CAST: NULL rather than an error, so the CHECK is what refuses a value
        return (f"TRY_CAST(substr({col} || '-01-01', 1, 10) AS DATE)",
                f"CASE length({col}) WHEN 4 THEN TRY_CAST({col} || '-12-31' AS DATE)"
                f" WHEN 7 THEN last_day(TRY_CAST({col} || '-01' AS DATE)) ELSE TRY_CAST({col} AS DATE) END")
    # SQLite: ISO text, which SQLite's date functions and a plain text comparison both read
    return (f"substr({col} || '-01-01', 1, 10)",
            f"CASE length({col}) WHEN 4 THEN {col} || '-12-31'"
            f" WHEN 7 THEN {col} || '-' || {days_in_month(col)} ELSE {col} END")


def _pg_day(col: str, last: bool) -> str:
    month = f"CAST(NULLIF(substr({col}, 6, 2), '') AS INTEGER)"
    day = f"CAST(NULLIF(substr({col}, 9, 2), '') AS INTEGER)"
    if last:
        return f"make_date({_year(col)}, COALESCE({month}, 12), COALESCE({day}, {days_in_month(col)}))"
    return f"make_date({_year(col)}, COALESCE({month}, 1), COALESCE({day}, 1))"


def pg_prelude() -> list[str]:
    """The date rule once, for PostgreSQL: a function, a domain over text that calls it, and the two
    functions the bound columns are generated with. SQL-standard bodies (PostgreSQL 14+) are parsed
    when created, so they do not depend on the search_path of whoever later inserts a row."""
    d = quote_ident("d")
    guard = f"CASE WHEN {quote_ident(IS_DATE)}({d}) THEN"
    return [
        f"CREATE OR REPLACE FUNCTION {quote_ident(IS_DATE)}({d} text) RETURNS boolean\n"
        f"  LANGUAGE sql IMMUTABLE PARALLEL SAFE\n  RETURN {is_date(d)}",
        f"CREATE OR REPLACE FUNCTION {quote_ident(FIRST_DAY)}({d} text) RETURNS date\n"
        f"  LANGUAGE sql IMMUTABLE PARALLEL SAFE\n  RETURN {guard} {_pg_day(d, False)} END",
        f"CREATE OR REPLACE FUNCTION {quote_ident(LAST_DAY)}({d} text) RETURNS date\n"
        f"  LANGUAGE sql IMMUTABLE PARALLEL SAFE\n  RETURN {guard} {_pg_day(d, True)} END",
        f"CREATE DOMAIN {quote_ident(DOMAIN)} AS text\n"
        f"  CONSTRAINT {quote_ident(RULE_NAME)} CHECK ({quote_ident(IS_DATE)}(VALUE))",
        f"COMMENT ON DOMAIN {quote_ident(DOMAIN)} IS {quote_literal(RULE_TEXT)}",
        f"COMMENT ON FUNCTION {quote_ident(IS_DATE)}(text) IS "
        + quote_literal("True when the text is a valid date of reduced precision (the rule of the domain "
                        f"{DOMAIN})."),
        f"COMMENT ON FUNCTION {quote_ident(FIRST_DAY)}(text) IS "
        + quote_literal("The first day a date of reduced precision can mean: 2024 -> 2024-01-01; NULL if it is "
                        "not a valid date."),
        f"COMMENT ON FUNCTION {quote_ident(LAST_DAY)}(text) IS "
        + quote_literal("The last day a date of reduced precision can mean: 2024-02 -> 2024-02-29; NULL if it "
                        "is not a valid date."),
    ]


def pg_drop() -> list[str]:
    """What a reload drops before `pg_prelude` (after the tables that use the domain). The functions are
    replaced in place, so nothing that calls them is dropped."""
    return [f"DROP DOMAIN IF EXISTS {quote_ident(DOMAIN)}"]
