"""The README inside a release archive, written for someone who downloaded it, from the descriptor alone.

It says what the tables are (their titles, descriptions and keys, as the descriptor and the Table
Schemas give them), how to open them in pandas, R, SQL (SQLite) and DuckDB, under which licence and how
to cite. Nothing in it is stated that the descriptor does not say. Every text taken from the package is
escaped for Markdown, and only names that are plain identifiers and paths are put into code.
"""

from __future__ import annotations

import re

from ..base.escape import markdown_text
from ..package import Package

# The files release_archive() adds beside the data when the package has them.
EXTRAS = ("DATASHEET.md", "CITATION.cff", "CHANGELOG.md")
DATA_LICENSE = "LICENSE-DATA.md"
CODE_LICENSE = "LICENSE-CODE.txt"

_SAFE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SAFE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


md = markdown_text  # one line of Markdown prose showing a text literally (the one escape for Markdown)


def _url(value: object) -> str | None:
    text = str(value or "")
    return text if re.fullmatch(r"https?://[^\s<>()\[\]`]+", text) else None


def _link(title: object, path: object) -> str:
    url = _url(path)
    return f"[{md(title)}](<{url}>)" if url else md(title)


def data_license_text(package: Package) -> str:
    """LICENSE-DATA.md: the data's licence as the descriptor names it, with its official address.

    The legal code's full text is not reproduced here (no verified copy of the official text was at
    hand when this was written); the file names the licence and its official address instead."""
    lines = ["# Licence of the data", ""]
    licenses = package.entries("licenses")
    if not licenses:
        lines.append("The descriptor (datapackage.json) names no licence for the data.")
    for lic in licenses:
        name = md(lic.get("name") or "")
        title = md(lic.get("title") or lic.get("name") or "")
        lines.append(f"The data (datapackage.json, data/ and schemas/) is licensed under {title}"
                     + (f" (`{lic['name']}`)" if name and _SAFE_PATH.fullmatch(str(lic["name"])) else "") + ".")
        url = _url(lic.get("path"))
        if url:
            lines += ["", f"The licence, and its full legal code, are published at <{url}>."]
    return "\n".join(lines) + "\n"


def release_readme(package: Package, included: list[str]) -> str:
    """README.md for the archive; `included` lists the other files the archive holds."""
    d = package.descriptor
    title = d.get("title") or package.name
    out = [f"# {md(title)}", ""]
    if d.get("description"):
        out += [md(d["description"]), ""]
    out += [f"Version {md(package.version)}" + (f", created {md(d['created'])}." if d.get("created") else "."),
            "", "This archive is a [Frictionless Data Package](<https://datapackage.org/>): `datapackage.json` "
            "describes every table, and each table's columns, types and keys are in its Table Schema "
            "under `schemas/`.", "", "## The tables", "",
            "| Table | File | What it holds | Primary key |", "|---|---|---|---|"]
    for r in package.resources:
        about = md(r.title) + (f": {md(r.description)}" if r.description else "")
        key = ", ".join(md(k) for k in r.primary_key) or "—"
        out.append(f"| {md(r.name)} | {md(r.path)} | {about} | {key} |")
    out.append("")
    for r in package.resources:
        refs = [f"{md(fk.field)} → {md(fk.resource)}.{md(fk.reference_field)}" for fk in r.foreign_keys]
        if refs:
            out.append(f"- {md(r.name)} refers to " + "; ".join(refs))
    dates = [f"{md(r.name)}.{md(f.name)}" for r in package.resources for f in r.fields if f.is_date]
    out += ["", "An empty cell means the value is not known."]
    if dates:
        out[-1] += (" These date columns hold ISO 8601 dates of reduced precision (`YYYY`, `YYYY-MM` or "
                    "`YYYY-MM-DD`): " + ", ".join(dates) + ".")
    out.append("")
    out += _loading(package)
    out += _citing(package, included)
    return "\n".join(out).rstrip("\n") + "\n"


def _loading(package: Package) -> list[str]:
    safe = [r for r in package.resources if _SAFE_NAME.fullmatch(r.name) and _SAFE_PATH.fullmatch(r.path)]
    if not safe:
        return []
    first = safe[0]
    # into a table that does not exist yet, `.import --csv` takes the first row for the column names
    # (`--skip 1` would drop the first data row instead, and name the columns after its values)
    imports = "\n".join(f".import --csv {r.path} {r.name}" for r in safe)
    return [
        "## Loading the tables", "",
        "Every file is UTF-8 CSV with a header row. Read the values as text and convert them as each "
        "Table Schema says, so identifiers and partial dates stay as written.", "",
        "pandas:", "", "```python", "import pandas as pd", "",
        f'{first.name} = pd.read_csv("{first.path}", dtype=str, keep_default_na=False, na_values=[""])',
        "```", "",
        "R:", "", "```r",
        f'{first.name} <- read.csv("{first.path}", colClasses = "character", na.strings = "", '
        'encoding = "UTF-8")', "```", "",
        "SQL (SQLite's shell, 3.32 or newer: each table is created from its header row, every column "
        "as text):", "",
        "```sh", f"sqlite3 {package.name if _SAFE_NAME.fullmatch(package.name) else 'data'}.sqlite <<'EOF'",
        imports, "EOF", "```", "",
        "DuckDB:", "", "```sql",
        f"SELECT * FROM read_csv('{first.path}', header = true, all_varchar = true);", "```", "",
        "Frictionless (Python), which reads the types from the schemas and can check the whole package:", "",
        "```python", "from frictionless import Package, validate", "",
        'print(validate("datapackage.json"))',
        f'rows = Package("datapackage.json").get_resource("{first.name}").read_rows()', "```", "",
    ]


def _citing(package: Package, included: list[str]) -> list[str]:
    d = package.descriptor
    out = ["## How to cite", ""]
    who = [str(c["title"]) for c in package.entries("contributors") if c.get("title")]
    year = str(d.get("created", ""))[:4]
    parts = [md(", ".join(who)) if who else "", f"({md(year)})" if re.fullmatch(r"\d{4}", year) else "",
             md(d.get("title") or package.name), f"Version {md(package.version)}", "[Data set]"]
    out += ["Please cite the dataset as:", "", "> " + ". ".join(p for p in parts if p) + ".", ""]
    if "CITATION.cff" in included:
        out += ["`CITATION.cff` holds the same in the Citation File Format, which reference managers read.", ""]
    sources = [s for s in package.entries("sources") if s.get("title")]
    if sources:
        out += ["The data comes from these sources (the `sources` table lists every one with its locator):", ""]
        out += [f"- {_link(s['title'], s.get('path'))}" for s in sources]
        out.append("")
    out += ["## Licence", ""]
    for lic in package.entries("licenses"):
        out.append(f"The data is licensed under {_link(lic.get('title') or lic.get('name'), lic.get('path'))}: "
                   f"it requires attribution: cite the dataset as above. See `{DATA_LICENSE}`.")
    if CODE_LICENSE in included:
        out += ["",f"The code of the ecocluster tools is under the MIT licence (`{CODE_LICENSE}`)."]
    more = [f"`{name}`" for name in EXTRAS if name in included and name != "CITATION.cff"]
    if more:
        out += ["", "Also in this archive: " + ", ".join(more) + "."]
    return out + [""]
