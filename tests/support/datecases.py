"""The date list: one verdict per value, the same in `ecocluster validate`, SQLite, DuckDB and PostgreSQL
(both SQL files). Written out by hand, not computed by the library, so every database is checked
against the data model (docs: a real YYYY, YYYY-MM or YYYY-MM-DD; years 1000 to 9999-12-30, rules
`date-invalid` and `date-out-of-range`)."""

DATE_CASES: list[tuple[str, bool]] = [
    ("2024", True),
    ("2024-02", True),
    ("2024-02-29", True),          # a leap day
    ("2000-02-29", True),          # divisible by 400: a leap year
    ("2023-04-30", True),
    ("2023-12-31", True),
    ("1000", True),                # the first year the data model holds
    ("9999-12-30", True),          # its last day
    ("2023-02-29", False),         # 2023 is no leap year
    ("1900-02-29", False),         # divisible by 100, not by 400: no leap year
    ("2023-04-31", False),         # April has 30 days
    ("2023-02-30", False),
    ("2023-13", False),
    ("2023-00", False),
    ("2023-01-00", False),
    ("0000", False),               # no year 0 in the calendar the exports use (date-out-of-range)
    ("0999", False),               # before 1000 (date-out-of-range)
    ("9999", False),               # its last day would be 9999-12-31 (date-out-of-range)
    ("9999-12-31", False),
    ("abcd", False),
    ("2023-1-05", False),
    ("2023-01-5", False),
    ("2023/01/05", False),
    ("2023-05-22T10:00", False),
    (" 2023", False),
    ("20230", False),
    ("\u0662\u0660\u0662\u0663", False),  # 2023 in Arabic-Indic digits
]
