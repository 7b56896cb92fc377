"""Validation and load(): behaviour the mutation score found unguarded (scripts/mutation.py, issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ecocluster
from ecocluster.errors import InvalidData


def package(tmp: Path, tables: dict[str, tuple[dict, bytes]]) -> Path:
    """A package of `tables`: name -> (Table Schema, CSV bytes)."""
    (tmp / "data").mkdir(parents=True)
    resources = []
    for name, (schema, data) in tables.items():
        (tmp / "data" / f"{name}.csv").write_bytes(data)
        resources.append({"name": name, "path": f"data/{name}.csv", "schema": schema})
    (tmp / "datapackage.json").write_text(json.dumps({"name": "m", "version": "1.0.0", "resources": resources}),
                                          "utf-8")
    return tmp


S = {"name": "s", "type": "string"}
N = {"name": "n", "type": "integer"}


def test_a_missing_composite_key_is_reported_with_its_value_and_target(tmp_path):
    """Guards cross._composite_key: the value shows every part of the key, ` / ` between, an empty part as ''."""
    parent = {"fields": [S, N], "primaryKey": ["s", "n"]}
    child = {"fields": [{"name": "id", "type": "string"}, S, N], "primaryKey": ["id"],
             "foreignKeys": [{"fields": ["s", "n"], "reference": {"resource": "parent", "fields": ["s", "n"]}}]}
    root = package(tmp_path, {"parent": (parent, b"s,n\na,1\n"), "child": (child, b"id,s,n\nc1,a,1\nc2,a,2\nc3,,9\n")})
    errors = ecocluster.validate(root).errors
    assert {(e.row, e.field, e.value) for e in errors} == {(3, "s", "a / 2"), (4, "s", " / 9")}
    assert all("parent (s, n)" in e.message for e in errors), [e.message for e in errors]


def test_load_of_invalid_data_names_the_first_error_and_where_it_is(tmp_path):
    """Guards loading._invalid: InvalidData's message carries the count, the first error's message and place."""
    schema = {"fields": [{"name": "id", "type": "string"}, N], "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id,n\nr1,1\nr2,two\nr3,three\n")})
    with pytest.raises(InvalidData) as e:
        ecocluster.load(root)
    first = e.value.report.errors[0]
    assert (first.resource, first.row, first.field) == ("t", 3, "n")
    assert str(e.value) == (f"{root / 'datapackage.json'} does not pass validation: 2 error(s); "
                            f"first: {first.message} (resource t, row 3, field n)")
    assert first.message and "two" in first.message


def test_the_docs_keep_everything_after_the_generated_section_verbatim():
    """Guards convert.render_docs: only the first end marker closes the section; later text (even another
    marker) is kept as it was."""
    from ecocluster.validation.convert import END, START, render_codes, render_docs

    text = f"intro\n{START}\nold codes\n{END}\nafter\n{END}\ntail\n"
    assert render_docs(text) == f"intro\n{START}\n{render_codes()}{END}\nafter\n{END}\ntail\n"


def test_load_keeps_strings_in_arrow_memory(tmp_path):
    """Guards loading.to_pandas: string columns are pandas' `string[pyarrow]` (no Python object per cell)."""
    schema = {"fields": [{"name": "id", "type": "string"}, N], "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id,n\nr1,1\nr2,\n")})
    df = ecocluster.load(root)["t"]
    assert df["id"].dtype.storage == "pyarrow"
    assert df["id"].tolist() == ["r1", "r2"] and str(df["n"].dtype) == "Int64"


def test_an_invisible_character_in_a_patterned_value_is_named_in_the_message(tmp_path):
    """Guards checks._hidden_checks: text-invisible says which character it is (U+200B ZERO WIDTH SPACE)."""
    schema = {"fields": [{"name": "id", "type": "string", "constraints": {"pattern": "^[a-z]+$"}}],
              "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, "id\nabc\nab\u200bc\n".encode())})
    errors = {e.code: e for e in ecocluster.validate(root).errors}
    assert set(errors) == {"pattern-mismatch", "text-invisible"}
    assert "U+200B ZERO WIDTH SPACE" in errors["text-invisible"].message
    assert errors["text-invisible"].row == 3


def test_a_signatory_without_a_role_is_reported_with_the_person_as_its_value(tmp_path):
    """Guards cross.check_signatories: signatory-no-role carries the signatory's person ID as its value."""
    import csv
    import shutil

    valid = Path(__file__).parents[1] / "fixtures" / "validate" / "valid"
    root = tmp_path / "pkg"
    shutil.copytree(valid, root)
    roles = root / "data" / "roles.csv"
    text = roles.read_text(encoding="utf-8")
    assert text.count("사장,2022-03-01,2025-09-01") == 1
    roles.write_text(text.replace("사장,2022-03-01,2025-09-01", "사장,2022-03-01,2023-05-21"), encoding="utf-8")
    with open(root / "data" / "agreement_parties.csv", encoding="utf-8", newline="") as fh:
        line4 = list(csv.DictReader(fh))[2]  # the header is line 1
    [error] = ecocluster.validate(root).errors
    assert (error.code, error.row, error.field) == ("signatory-no-role", 4, "signatory_person_id")
    assert error.value == line4["signatory_person_id"] and error.value


def test_a_value_not_of_its_numeric_type_names_the_type(tmp_path):
    """Guards checks._field_checks: type-invalid on an integer or number field says which type it wanted."""
    schema = {"fields": [{"name": "id", "type": "string"}, N, {"name": "x", "type": "number"}], "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id,n,x\nr1,two,1.5\nr2,2,half\n")})
    got = {(e.row, e.field, e.message) for e in ecocluster.validate(root).errors}
    assert got == {(2, "n", "`two` is not a valid integer"), (3, "x", "`half` is not a valid number")}


def test_a_package_level_error_is_listed_under_the_descriptor_in_text_and_github_reports(tmp_path):
    """Guards report._where: an error that belongs to no table file (here: no package at all) is grouped
    under `datapackage.json` in the text report and annotates that file on GitHub, never a file `None`."""
    from ecocluster.validation.github import render_github
    from ecocluster.validation.report import render_text

    report = ecocluster.validate(tmp_path / "nowhere")
    [error] = report.errors
    assert (error.code, error.resource) == ("package-not-found", None)
    assert render_text(report).splitlines()[0] == "datapackage.json"
    assert render_github(report).startswith("::error file=datapackage.json,title=package-not-found::")


def test_an_error_of_a_table_whose_file_cannot_be_named_is_listed_under_the_table(tmp_path):
    """Guards report._where: a resource refused before its file is known (a path out of the package) has
    no file to point at: the report groups its error under the resource's name."""
    from ecocluster.validation.github import render_github
    from ecocluster.validation.report import render_text

    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "m", "resources": [
        {"name": "outside", "path": "../t.csv", "schema": {"fields": [S]}}]}), "utf-8")
    report = ecocluster.validate(tmp_path)
    [error] = report.errors
    assert (error.code, error.resource) == ("resource-path-outside", "outside")
    assert render_text(report).splitlines()[0] == "outside"
    assert render_github(report).startswith("::error file=outside,title=resource-path-outside::")


def test_a_generated_model_refuses_a_repeated_two_column_key(tmp_path):
    """Guards convert._model: a primary key of two columns (the shipped one is three) becomes the model's
    `unique` pair, so the pandera model refuses a repeated pair while each column alone may repeat."""
    import pandera.errors
    import polars as pl

    from ecocluster.package import Package
    from ecocluster.validation.convert import render_models

    schema = {"fields": [S, N], "primaryKey": ["s", "n"]}
    root = package(tmp_path, {"pairs": (schema, b"s,n\na,1\n")})
    namespace: dict = {}
    exec(compile(render_models(Package.open(root)), "models.py", "exec"), namespace)  # noqa: S102 - our own output
    model = namespace["MODELS"]["pairs"]
    model.validate(pl.DataFrame({"s": ["a", "a", "b"], "n": [1, 2, 1]}))
    with pytest.raises(pandera.errors.SchemaError):
        model.validate(pl.DataFrame({"s": ["a", "b", "a"], "n": [1, 1, 1]}))


def test_tables_are_read_largest_first_a_missing_file_counting_as_empty(tmp_path):
    """Guards engine._size: the read order the progress callback shows is the largest file first, and files
    of one size in the descriptor's order; a file that does not exist has no bytes, like an empty one."""
    schema = {"fields": [S]}
    root = package(tmp_path, {"empty": (schema, b""), "gone": (schema, b""), "small": (schema, b"s\na\n"),
                              "big": (schema, b"s\n" + b"a\n" * 50)})
    (root / "data" / "gone.csv").unlink()
    calls: list[str] = []
    report = ecocluster.validate(root, progress=calls.append)
    assert calls == ["reading data/big.csv (1/4)", "reading data/small.csv (2/4)", "reading data/empty.csv (3/4)",
                     "reading data/gone.csv (4/4)", "checking across tables"]
    assert {(e.code, e.resource) for e in report.errors} >= {("file-missing", "gone")}


def test_a_text_too_short_or_too_long_is_reported_with_its_value_and_the_limit(tmp_path):
    """Guards checks._field_checks: length-invalid carries the cell as its value and says which limit it breaks."""
    schema = {"fields": [{"name": "id", "type": "string"},
                         {"name": "code", "type": "string", "constraints": {"minLength": 2, "maxLength": 3}}],
              "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id,code\nr1,ab\nr2,a\nr3,abcd\nr4,abc\n")})
    got = {(e.code, e.row, e.value, e.message) for e in ecocluster.validate(root).errors}
    assert got == {("length-invalid", 3, "a", "`a` is shorter than the minimum length 2"),
                   ("length-invalid", 4, "abcd", "`abcd` is longer than the maximum length 3")}


def test_a_date_of_the_wrong_form_and_a_day_that_does_not_exist_are_told_apart(tmp_path):
    """Guards checks._field_checks: date-invalid says whether the value is not of the form YYYY, YYYY-MM or
    YYYY-MM-DD, or is of that form but names no real day."""
    from ecocluster.package import DATE_PATTERN

    schema = {"fields": [{"name": "id", "type": "string"},
                         {"name": "date", "type": "string", "constraints": {"pattern": DATE_PATTERN}}],
              "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id,date\nr1,2024-02-29\nr2,2021-9\nr3,2021-02-30\nr4,2021-13\n")})
    got = {(e.code, e.row, e.message) for e in ecocluster.validate(root).errors}
    assert got == {("date-invalid", 3, "`2021-9` is not YYYY, YYYY-MM or YYYY-MM-DD"),
                   ("date-invalid", 4, "`2021-02-30` is not a real calendar day"),
                   ("date-invalid", 5, "`2021-13` is not YYYY, YYYY-MM or YYYY-MM-DD")}


def test_a_colon_or_comma_in_a_github_annotation_property_is_escaped_as_the_runner_decodes_it():
    """Guards base.escape.workflow_value: in a workflow command's properties `:` is `%3A` and `,` is `%2C` (upper case:
    the runner replaces exactly these tokens), so a file name holding them still names the file."""
    from ecocluster.validation.github import render_github
    from ecocluster.validation.report import Report, ValidationError

    error = ValidationError("file-missing", "t", None, None, None, "data/a:b,c.csv does not exist", "")
    report = Report(errors=[error], stats={"errors": 1}, paths={"t": "data/a:b,c.csv"})
    assert render_github(report) == ("::error file=data/a%3Ab%2Cc.csv,title=file-missing::"
                                     "data/a:b,c.csv does not exist\n")


def test_build_reports_the_progress_of_its_validation_table_by_table(tmp_path):
    """Guards loading.validated_tables: `build` hands its progress callback to the validation, so a long
    build shows each table being read and checked before the exports start."""
    from ecocluster.package import Package
    from ecocluster.release import build

    valid = Path(__file__).parents[1] / "fixtures" / "validate" / "valid"
    calls: list[str] = []
    build(valid, tmp_path / "out", progress=calls.append)
    n = len(Package.open(valid).resources)
    reading = [c for c in calls if c.startswith("reading ")]
    assert calls[0] == "validating" and calls[1:n + 2] == [*reading, "checking across tables"]
    assert [c.rsplit(" ", 1)[1] for c in reading] == [f"({i}/{n})" for i in range(1, n + 1)]
    assert calls[n + 2].startswith("exporting ")


def test_a_number_out_of_range_says_which_bound_and_a_bad_boolean_names_the_type(tmp_path):
    """Guards checks._field_checks: out-of-range says whether the value is below the minimum or above the
    maximum, and type-invalid on a boolean field says it wanted a boolean."""
    schema = {"fields": [{"name": "id", "type": "string"},
                         {"name": "x", "type": "number", "constraints": {"minimum": 0, "maximum": 100}},
                         {"name": "b", "type": "boolean"}],
              "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id,x,b\nr1,0,true\nr2,-0.5,false\nr3,100.01,yes\nr4,100,\n")})
    got = {(e.code, e.row, e.field, e.message) for e in ecocluster.validate(root).errors}
    assert got == {("out-of-range", 3, "x", "`-0.5` is below the minimum 0"),
                   ("out-of-range", 4, "x", "`100.01` is above the maximum 100"),
                   ("type-invalid", 4, "b", "`yes` is not a valid boolean")}


def test_a_date_field_judges_each_value_alone_whatever_form_the_first_one_has(tmp_path):
    """Guards checks._field_checks: a Table Schema `date` is YYYY-MM-DD for every row; a first value in
    another form (15/03/2021) does not change how the next ones are read."""
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "d", "type": "date"}], "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id,d\nr1,15/03/2021\nr2,2021-03-01\nr3,2021-02-30\n")})
    got = {(e.code, e.row, e.value) for e in ecocluster.validate(root).errors}
    assert got == {("type-invalid", 2, "15/03/2021"), ("type-invalid", 4, "2021-02-30")}


def test_text_report_of_a_hand_made_report_without_counts():
    """Guards report.render_text: a Report built by hand, with no rows or tables counted, reads as zero
    of each (never `None`), for a valid and for an invalid report."""
    from ecocluster.validation.report import Report, ValidationError, render_text

    assert render_text(Report()) == "valid: 0 rows in 0 tables, no errors\n"
    err = ValidationError(code="row-blank", resource="t", row=3, field=None, value=None,
                          message="the row has no values", hint="Delete the blank line.")
    text = render_text(Report(errors=[err], stats={"errors": 1, "by_code": {"row-blank": 1}}))
    assert text.splitlines()[-1] == "invalid: 1 error in 0 rows of 0 tables: row-blank 1"
