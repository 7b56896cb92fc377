"""`load()`: the tables as pandas DataFrames, typed by the Table Schemas, validated on the way in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EcoclusterError, InvalidData
from .package import Field, Package

if TYPE_CHECKING:
    import pandas as pd


def ensure_valid(package: Package, progress: Callable[[str], None] | None = None) -> None:
    """Raise InvalidData (carrying the validation report) unless the package passes validation."""
    from .validation import validate

    report = validate(package.descriptor_path, progress=progress)
    if not report.ok:
        errors = report.to_dict()["errors"]
        first = errors[0] if errors else {}
        where = ", ".join(f"{k} {first[k]}" for k in ("resource", "row", "field")
                          if first.get(k) not in (None, ""))
        raise InvalidData(f"{package.descriptor_path} does not pass validation: {len(errors)} error(s); "
                          f"first: {first.get('message', '')}" + (f" ({where})" if where else ""), report)


def dtype(f: Field) -> Any:
    """The pandas dtype of a field: nullable types throughout, enums as categoricals in declared order."""
    import pandas as pd

    if f.enum is not None and f.type == "string":
        return pd.CategoricalDtype(categories=list(f.enum), ordered=False)
    types = {"string": pd.StringDtype(), "integer": pd.Int64Dtype(), "number": pd.Float64Dtype(),
             "boolean": pd.BooleanDtype(), "date": "datetime64[s]"}
    if f.type not in types:
        raise EcoclusterError(f"field `{f.name}` has type `{f.type}`, which load() does not map to pandas")
    return types[f.type]


def frames(package: Package) -> dict[str, pd.DataFrame]:
    """Every table as a DataFrame with the dtypes `dtype()` gives; no validation."""
    import pandas as pd

    out = {}
    for res in package.resources:
        rows = package.read_rows(res)
        out[res.name] = pd.DataFrame(
            {f.name: _series([r[f.name] for r in rows], f) for f in res.fields}, columns=res.field_names)
    return out


def _series(values: list, f: Field) -> pd.Series:
    """One column; a value outside its enum (only in data that was not validated) becomes missing."""
    import pandas as pd

    kind = dtype(f)
    if isinstance(kind, pd.CategoricalDtype):
        allowed = set(kind.categories)
        values = [v if v in allowed else None for v in values]
    return pd.Series(values, dtype=kind, name=f.name)


def load(path: str | Path | None = None, validate: bool = True) -> dict[str, pd.DataFrame]:
    """The package's tables as pandas DataFrames, keyed by table name, in the descriptor's order.

    Strings are nullable `string`, enums categoricals whose categories are the declared codes in
    declared order, integers `Int64`, numbers `Float64`; missing values are `pd.NA`. Reduced-precision
    dates stay strings: use `ecocluster.date_bounds` (or `earliest_day`/`latest_day`) for ranges.
    `path` is a descriptor or a folder holding one; None loads the shipped package. Unless
    `validate=False`, raises `ecocluster.errors.InvalidData` when the package does not validate; with
    `validate=False` a value outside its enum is loaded as missing.

    >>> import ecocluster
    >>> tables = ecocluster.load()
    >>> tables["agreements"].query("kind == 'memorandum-of-understanding'")[["date", "title"]]
    """
    package = Package.open(path)
    if validate:
        ensure_valid(package)
    return frames(package)
