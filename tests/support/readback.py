"""What every export must hold, read straight from the CSVs and schemas with the standard library.

Deliberately independent of ecocluster.package: the exports are compared with this, not with the
library's own reader.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AWKWARD = Path(__file__).resolve().parents[1] / "fixtures" / "export" / "awkward"


def tables(root: Path = ROOT) -> dict[str, tuple[list[dict], list[dict]]]:
    """table -> (schema fields, rows with None for empty, int for integer, float for number)."""
    dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    out = {}
    for res in dp["resources"]:
        schema = json.loads((root / res["schema"]).read_text(encoding="utf-8"))
        cast = {f["name"]: {"integer": int, "number": float}.get(f.get("type", "string"), str)
                for f in schema["fields"]}
        with open(root / res["path"], encoding="utf-8", newline="") as fh:
            rows = [{k: (cast[k](v) if v != "" else None) for k, v in row.items()}
                    for row in csv.DictReader(fh)]
        out[res["name"]] = (schema["fields"], rows)
    return out


def as_tuples(fields: list[dict], rows: list[dict]) -> list[tuple]:
    return [tuple(r[f["name"]] for f in fields) for r in rows]


def same_typed(actual: list[tuple], expected: list[tuple]) -> bool:
    """Equal values of the same Python type (so 3 == 3.0 and '3' == 3 do not pass)."""
    return actual == expected and all(
        type(a) is type(e)
        for ra, re in zip(actual, expected, strict=True) for a, e in zip(ra, re, strict=True))


def same_rows(actual: list[tuple], expected: list[tuple]) -> bool:
    """The same rows in any order (a database has none), each value of the same type."""
    return same_typed(sorted(actual, key=repr), sorted(expected, key=repr))


def schema(root: Path, name: str) -> dict:
    return json.loads((root / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def foreign_key_count(root: Path) -> int:
    return sum(len(schema(root, name).get("foreignKeys", [])) for name in tables(root))


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a text file (to break a copy of a package on purpose)."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def read_rows(root: Path, name: str) -> list[dict]:
    """One table's rows as `tables()` types them."""
    return tables(root)[name][1]


DATE_PATTERN = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"


def is_date(field: dict) -> bool:
    return field.get("constraints", {}).get("pattern") == DATE_PATTERN


def bounds_of(value):
    """The first and last day of a reduced-precision date, worked out here with the standard library."""
    if value is None:
        return None, None
    parts = [int(p) for p in value.split("-")]
    first = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    if len(parts) == 3:
        return first, first
    if len(parts) == 1:
        return first, date(parts[0], 12, 31)
    following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def with_bounds(fields: list[dict]) -> list[str]:
    """Column names of a table in the exports and load(): each reduced-precision date field is followed
    by its `_earliest` and `_latest` day."""
    out = []
    for f in fields:
        out.append(f["name"])
        if f.get("constraints", {}).get("pattern") == DATE_PATTERN:
            out += [f"{f['name']}_earliest", f"{f['name']}_latest"]
    return out


def copy_package(dest: Path, root: Path = ROOT) -> Path:
    """A copy of a package's descriptor, data and schemas in `dest` (created), to change or build."""
    import shutil

    dest.mkdir(parents=True)
    shutil.copy(root / "datapackage.json", dest)
    shutil.copytree(root / "data", dest / "data")
    shutil.copytree(root / "schemas", dest / "schemas")
    return dest


def raw_rows(pkg, resource) -> list[dict[str, str]]:
    """A table's rows as the strings in its CSV (Python's csv module: the tests' own reader)."""
    with open(pkg.csv_path(resource), encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
