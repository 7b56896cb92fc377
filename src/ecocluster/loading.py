"""`load()`: the tables as pandas (or polars) frames, typed by the Table Schemas, validated on the way in.

The frames are the ones the validator read and checked (`validated_tables`): one read, one truth.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import InvalidData, UsageError
from .package import Package
from .package.archive import open_package
from .tables import Tables, date_bounds_columns, read_tables

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    from .validation.report import Report


def _invalid(package: Package, report: Report) -> InvalidData:
    errors = report.to_dict()["errors"]
    first = errors[0] if errors else {}
    where = ", ".join(f"{k} {first[k]}" for k in ("resource", "row", "field") if first.get(k) not in (None, ""))
    total = report.stats.get("errors", len(errors))
    return InvalidData(f"{package.descriptor_path} does not pass validation: {total} error(s); "
                       f"first: {first.get('message', '')}" + (f" ({where})" if where else ""), report)


def validated_tables(package: Package, progress: Callable[[str], None] | None = None) -> Tables:
    """Validate the package and return the very frames that were checked, typed; raise InvalidData
    (carrying the report) unless it passes."""
    from .tables import from_frames
    from .validation.engine import check

    report, checked = check(package, progress=progress, keep=True)
    if not report.ok:
        raise _invalid(package, report)
    return from_frames(package, {name: t.frame for name, t in checked.items()})


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """A typed frame in pandas' nullable types: string, Int64, Float64, boolean, unordered categoricals
    whose categories are every declared code, and datetime64 for dates (NaT when missing)."""
    import pandas as pd
    import pyarrow as pa

    nullable = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}

    # strings stay in Arrow memory (pandas' "string[pyarrow]", shown as `string` and missing as pd.NA):
    # a Python object per cell would take longer than reading the file
    text = pd.StringDtype("pyarrow")

    def mapper(t: pa.DataType) -> Any:
        if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            return text
        return nullable.get(t)

    df = frame.to_arrow().to_pandas(types_mapper=mapper, date_as_object=False)
    for name in df.columns:
        if isinstance(df[name].dtype, pd.CategoricalDtype):
            df[name] = df[name].cat.as_unordered()
    return df


def _import_pandas() -> threading.Thread:
    """Import pandas and pyarrow beside the validation, which spends most of its time in polars with
    the interpreter free: about 0.4 s of imports that would otherwise come after it."""

    def run() -> None:
        try:
            import pandas  # noqa: F401
            import pyarrow  # noqa: F401
        except Exception:  # noqa: BLE001 - to_pandas imports them again and raises where it is seen
            pass

    thread = threading.Thread(target=run, name="ecocluster-import-pandas")
    thread.start()
    return thread


def load(path: str | Path | None = None, validate: bool = True, engine: Literal["pandas", "polars"] = "pandas",
         bounds: bool = True, *, version: str | None = None, url: str | None = None,
         base_url: str | None = None) -> dict[str, Any]:
    """The package's tables, keyed by table name, in the descriptor's order.

    With `engine="pandas"` (the default), DataFrames: strings are nullable `string`, enums
    categoricals whose categories are the declared codes in declared order, integers `Int64`,
    numbers `Float64`; missing values are `pd.NA`. With `engine="polars"`, the polars frames the
    validator checked: `pl.Enum`, `Int64`, `Float64`, `String`. Reduced-precision dates stay
    strings; with `bounds` (the default) each has two date columns right after it,
    `<column>_earliest` and `<column>_latest` (datetime64 in pandas), the first and last day it can
    mean, as in the Parquet files and the databases.

    `path` is a folder, a `datapackage.json` or a release archive (`ecocluster-<version>.zip`), as
    every command takes it; None loads the shipped package.
    `version="0.2.0"` loads that published release instead, and `url=` the release at an address (a
    release folder or archive); either is downloaded once into the user's cache, checked against the
    SHA-256 in the published releases.json, and checked again on every later call, which then needs no
    network (ecocluster.package.remote; docs/downloads.md). The published site's address is `base_url`, else
    $ECOCLUSTER_BASE_URL. These need `pip install "ecocluster[download]"`. Unless
    `validate=False`, raises `ecocluster.errors.InvalidData` when the package does not validate; with
    `validate=False` a value outside its enum, or not of its type, is loaded as missing.

    >>> import ecocluster
    >>> tables = ecocluster.load()
    >>> tables["agreements"].query("kind == 'memorandum-of-understanding'")[["date", "title"]]
    """
    if engine not in ("pandas", "polars"):
        raise UsageError(f"engine must be 'pandas' or 'polars', not {engine!r}")
    if version is not None or url is not None:
        if path is not None:
            raise UsageError("give either a path or a published version/url to load, not both")
        from .package.remote import fetch_release

        path = fetch_release(version=version, url=url, base_url=base_url).path
    with open_package(path) as package:
        return _load(package, validate, engine, bounds)


def _load(package: Package, validate: bool, engine: str, bounds: bool) -> dict[str, Any]:
    importing = _import_pandas() if engine == "pandas" else None
    try:
        tables = validated_tables(package) if validate else read_tables(package)
    finally:  # no import outlives the call, not even into an exiting interpreter
        if importing is not None:
            importing.join()
    out: dict[str, Any] = {}
    for res in package.resources:
        frame = tables[res.name]
        if bounds:
            frame = date_bounds_columns(frame, res)
        out[res.name] = frame if engine == "polars" else to_pandas(frame)
    return out
