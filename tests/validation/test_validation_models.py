"""The pandera models enforce every constraint of the Table Schemas, field by field."""

from __future__ import annotations

from pathlib import Path

import pandera.errors
import pandera.polars as pa
import polars as pl
import pytest
from pandera.typing.polars import DataFrame

from ecocluster.package import Package
from ecocluster.validation.convert import DTYPES, MODELS_PATH, class_name, render_models
from ecocluster.validation.models import MODELS, Organisations

VALID = Path(__file__).parents[1] / "fixtures" / "validate" / "valid"

POLARS = {"str": pl.String, "float": pl.Float64, "int": pl.Int64, "bool": pl.Boolean}
PKG = Package.open(VALID)


def typed(res) -> pl.DataFrame:
    return pl.read_csv(PKG.csv_path(res), schema={f.name: POLARS[DTYPES[f.type]] for f in res.fields})


def fails(model, df: pl.DataFrame, column: str | None) -> bool:
    try:
        model.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as e:
        cols = set(e.failure_cases["column"].to_list()) if "column" in e.failure_cases.columns else set()
        return column is None or column in cols or not cols
    except pandera.errors.SchemaError:
        return True
    return False


def set_cell(df: pl.DataFrame, column: str, value) -> pl.DataFrame:
    return df.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(value, df.schema[column]))
        .otherwise(pl.col(column))
        .alias(column)
    )


def test_models_module_is_generated_from_the_schemas():
    # bytes, not text: a CRLF models.py is stale too
    assert MODELS_PATH.read_bytes() == render_models(Package.open()).encode("utf-8"), (
        "run `python -m ecocluster.validation.convert`"
    )
    assert list(MODELS) == Package.open().resource_names
    assert all(MODELS[r.name].__name__ == class_name(r) for r in Package.open().resources)


def test_models_accept_the_valid_tables_and_the_shipped_ones():
    for pkg in (PKG, Package.open()):
        for res in pkg.resources:
            MODELS[res.name].validate(
                typed(res)
                if pkg is PKG
                else pl.read_csv(
                    pkg.csv_path(res), schema={f.name: POLARS[DTYPES[f.type]] for f in res.fields}
                )
            )


CASES = [(res.name, f.name) for res in PKG.resources for f in res.fields]


@pytest.mark.parametrize("table,field", CASES)
def test_every_constraint_of_every_field_is_enforced(table, field):
    res = PKG.resource(table)
    f = res.field(field)
    model = MODELS[table]
    df = typed(res)
    assert not fails(model, df, None)
    enforced = []
    if f.required or field in res.primary_key:
        assert fails(model, set_cell(df, field, None), field), "required"
        enforced.append("required")
    # type: a column of another type is refused
    wrong = pl.Int64 if f.type == "string" else pl.String
    assert fails(model, df.with_columns(pl.lit(None, wrong).alias(field)), field), "type"
    if f.pattern is not None:
        assert fails(model, set_cell(df, field, "!! not matching !!"), field), "pattern"
        enforced.append("pattern")
    if f.is_date:
        assert fails(model, set_cell(df, field, "2023-02-30"), field), "calendar day"
    if f.is_country:
        assert fails(model, set_cell(df, field, "UK"), field), "assigned country"
    if f.enum is not None:
        assert fails(model, set_cell(df, field, "not-a-code"), field), "enum"
        enforced.append("enum")
    if f.minimum is not None:
        assert fails(model, set_cell(df, field, f.minimum - 1), field), "minimum"
        enforced.append("minimum")
    if f.maximum is not None:
        assert fails(model, set_cell(df, field, f.maximum + 1), field), "maximum"
        enforced.append("maximum")
    if f.unique or res.primary_key == (field,):
        dup = pl.concat([df, df.head(1)])
        assert fails(model, dup, field), "unique"
        enforced.append("unique")
    # every constraint the schema declares was tried above; `format` has its own test below
    assert set(enforced) == declared(res, field) - {"format"}
    # a column missing or an extra one is refused (strict)
    assert fails(model, df.drop(field), None)
    assert fails(model, df.with_columns(pl.lit("x").alias("extra")), None)


def declared(res, field: str) -> set[str]:
    """The constraints the Table Schema itself states for `field` (plus `unique` for a one-column key)."""
    fd = next(d for d in res.schema["fields"] if d["name"] == field)
    found = set(fd.get("constraints", {})) | ({"format"} if fd.get("format") not in (None, "default") else set())
    if field in res.primary_key:
        found.add("required")
    if res.primary_key == (field,):
        found.add("unique")
    return found


URI_FIELDS = [(r.name, f.name) for r in PKG.resources for f in r.fields if f.format == "uri"]


def test_uri_fields_are_found():
    assert URI_FIELDS  # sources.url and organisations.website


@pytest.mark.parametrize("table,field", URI_FIELDS)
def test_format_uri_is_enforced(table, field):
    df = typed(PKG.resource(table))
    assert fails(MODELS[table], set_cell(df, field, "not a uri"), field)


@pytest.mark.parametrize("table", [r.name for r in PKG.resources if len(r.primary_key) > 1])
def test_composite_primary_keys_are_enforced(table):
    res = PKG.resource(table)
    df = typed(res)
    assert fails(MODELS[table], pl.concat([df, df.head(1)]), None)
    # each key column alone may repeat
    for key in res.primary_key:
        assert not MODELS[table].to_schema().columns[key].unique


def test_models_are_usable_as_annotations():
    @pa.check_types
    def names(df: DataFrame[Organisations]) -> list[str]:
        return df["name"].to_list()

    assert names(typed(PKG.resource("organisations"))) == [
        "Busan Metropolitan City",
        "Renault Group",
        "Renault Korea",
    ]
    with pytest.raises(pandera.errors.SchemaError):
        names(set_cell(typed(PKG.resource("organisations")), "kind", "nope"))
