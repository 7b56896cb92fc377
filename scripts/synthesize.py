#!/usr/bin/env python3
"""Write a synthetic ecocluster package of any size that validates clean, optionally with planted errors.

    python scripts/synthesize.py --rows 1000000 --out /tmp/eco-1m [--seed 1] [--errors 20]

The descriptor and Table Schemas are the shipped ones (read through `Package.open()`); every column is
generated from its schema field (ID patterns with the table prefix, references, enums, reduced-precision
dates, numbers within min/max, optional cells left empty), then the rules of the data model that Table
Schema cannot say are applied (see `apply_rules`). `--errors K` plants K errors of mixed kinds and lists
them in DIR/planted-errors.json as {code, resource, row, field}; `row` is the editor line number.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ecocluster.base.files import atomic_path, write_text
from ecocluster.errors import EcoclusterError
from ecocluster.package import Package, Resource

# Codes of the planted errors, by kind: the validator's stable codes (docs/validation.md), so the
# planted list can be compared with its report as is. `field` is the column the validator names.
ERROR_CODES: dict[str, str] = {
    "pattern": "pattern-mismatch",  # a cell that does not match its field's pattern (see `code_for`)
    "enum": "enum-invalid",  # a code not listed in constraints.enum
    "required": "required-missing",  # an empty required cell
    "duplicate": "primary-key-duplicate",  # an ID seen on an earlier line (reported on the later one)
    "dangling": "foreign-key-missing",  # a reference to an ID no row has (see `code_for`)
    "calendar": "date-invalid",  # a well-formed date that is not a calendar day (2023-02-30)
    "order": "date-order",  # an end before its start (reported on the end field)
    "uncited": "row-not-cited",  # a fact row without any citation (reported on its `id`)
    "missing-record": "reference-unresolved",  # a citation whose record_id matches no row
}

# Share of all rows per table, modelled on the shipped data. Citations must outnumber the fact rows
# they cite (every fact row needs one), so they are ~54% rather than a smaller slice.
SHARES: dict[str, float] = {
    "sources": 0.01, "organisations": 0.04, "people": 0.04, "names": 0.15, "org_relations": 0.02,
    "roles": 0.04, "agreements": 0.03, "agreement_parties": 0.06, "projects": 0.01,
    "project_participants": 0.04, "agreement_projects": 0.02,
}  # citations take the rest
CITATIONS = "citations"
CITATION_KEY = ("record_id", "field", "source_id")
UNCITED_TABLES = ("sources", CITATIONS)  # every row of every other table must be cited
# (start, end) pairs that must be in order where both are known.
DATE_PAIRS = (("start_date", "end_date"), ("founded", "dissolved"), ("start_date", "target_date"))
OPTIONAL_FILL = 0.6  # share of optional cells that hold a value
DAY0, DAY1, TODAY = 7305, 16800, 20420  # 1990-01-01, 2015-12-30, 2025-11-28 as days since 1970
MIN_GAP, MAX_GAP = 366, 3650  # an end is 1-10 years after its start, so even "YYYY" forms stay ordered

# Value pools for patterned fields that are not IDs: the first pool whose every value matches the
# field's pattern is used, so a new patterned field needs only a pool here, not a column name.
POOLS: list[list[str]] = [
    ["en", "ko", "ko-Latn", "fr", "zh"],
    ["KR", "FR", "CN", "JP", "DE", "US"],
]
# Patterned identifiers of the outside world (Wikidata items): one per row, never shared by two rows.
SERIALS = ["Q{}"]
WORDS = [unicodedata.normalize("NFC", w) for w in (
    "Busan Renault Korea Geely Aurora Eco Cluster Centre Hybrid Plant Export Techno Park Council Motors "
    "Stéphane François Provost Séoul Daejeon Gangseo Ulsan Mobility 부산 르노코리아 미래차 협약 생태계 "
    "연구개발 부산광역시 자동차 Partnership Agreement Memorandum Industry Battery Jobs Youth Cooperation"
).split()]
BAD_PATTERN, BAD_ENUM = "??", "not-a-code"


class SynthError(Exception):
    """The requested package cannot be made (too few rows for the errors asked, an unknown pattern)."""


@dataclass
class Ref:
    """A reference kept as row numbers until the IDs are written, so rules can reason on rows."""
    targets: list[str]
    which: np.ndarray  # index into targets
    idx: np.ndarray  # row in the target table, -1 for empty


@dataclass
class Dates:
    days: np.ndarray  # days since 1970-01-01
    null: np.ndarray


Column = Ref | Dates | pl.Series


def counts_for(pkg: Package, rows: int) -> dict[str, int]:
    # At least two rows each (a relation needs two organisations) and three sources (a row's second
    # citation comes from a source other than its first).
    counts = {r.name: max(3 if r.name == "sources" else 2, int(rows * SHARES.get(r.name, 0)))
              for r in pkg.resources if r.name != CITATIONS}
    counts[CITATIONS] = rows - sum(counts.values())
    facts = sum(n for name, n in counts.items() if name not in UNCITED_TABLES)
    if counts[CITATIONS] < facts:
        raise SynthError(f"--rows {rows} is too small: every fact row needs a citation (try at least 100)")
    return counts


def prefixes(pkg: Package) -> dict[str, str]:
    return {r.id_prefix: r.name for r in pkg.resources if r.id_prefix}


def ref_targets(pkg: Package, res: Resource, name: str) -> list[str]:
    """Tables a field points to: its declared foreign key, or the prefixes its pattern allows."""
    for fk in res.foreign_keys:
        if fk.field == name:
            return [fk.resource]
    pattern = res.field(name).pattern or ""
    m = re.match(r"^\^\(?([a-z|]+?)\)?-\[a-z0-9\]", pattern)
    by_prefix = prefixes(pkg)
    if m and name not in res.primary_key and all(p in by_prefix for p in m.group(1).split("|")):
        return [by_prefix[p] for p in m.group(1).split("|")]
    return []


def make_ids(prefix: str, n: int) -> pl.Series:
    # Zero-padded so that file order is ID order, as in the hand-edited CSVs.
    num = pl.Series(np.arange(n, dtype=np.int64)).cast(pl.String).str.zfill(len(str(n)))
    return pl.select(pl.concat_str([pl.lit(f"{prefix}-"), num])).to_series()


def text(rng: np.random.Generator, n: int) -> pl.Series:
    # Drawn from a pool of phrases: gathering is several times faster than building each string.
    size = min(n, 1 << 16)
    words = pl.Series(WORDS)
    a, b = words.gather(rng.integers(0, len(WORDS), size)), words.gather(rng.integers(0, len(WORDS), size))
    num = pl.Series(rng.integers(1, 10_000, size)).cast(pl.String)
    pool = pl.select(pl.concat_str([pl.lit(a), pl.lit(" "), pl.lit(b), pl.lit(" "), pl.lit(num)])).to_series()
    return pool.gather(rng.integers(0, size, n)) if n > size else pool


def with_nulls(s: pl.Series, null: np.ndarray) -> pl.Series:
    return pl.select(pl.when(pl.lit(pl.Series(null))).then(None).otherwise(pl.lit(s))).to_series()


def generate(pkg: Package, res: Resource, n: int, counts: dict[str, int], ids: dict[str, pl.Series],
             rng: np.random.Generator, skip: tuple[str, ...] = ()) -> dict[str, Column]:
    """One column per schema field, each from what its schema says about it."""
    cols: dict[str, Column] = {}
    for f in res.fields:
        if f.name in skip:
            continue
        null = np.zeros(n, bool) if f.required else rng.random(n) > OPTIONAL_FILL
        targets = ref_targets(pkg, res, f.name)
        if res.primary_key == (f.name,) and res.id_prefix:
            cols[f.name] = ids[res.name]
        elif targets:
            which = rng.integers(0, len(targets), n).astype(np.int8)
            sizes = np.array([counts[t] for t in targets])[which]
            idx = (rng.random(n) * sizes).astype(np.int64)
            if targets == [res.name]:  # a self-reference points to an earlier row: no cycles
                idx = (rng.random(n) * np.arange(n)).astype(np.int64)
                null |= np.arange(n) == 0
            cols[f.name] = Ref(targets, which, np.where(null, -1, idx))
        elif f.is_date:
            cols[f.name] = Dates(rng.integers(DAY0, DAY1, n).astype(np.int32), null)
        elif f.enum:
            cols[f.name] = with_nulls(pl.Series(f.enum).gather(rng.integers(0, len(f.enum), n)), null)
        elif f.type in ("number", "integer"):
            lo, hi = f.minimum if f.minimum is not None else 0, f.maximum if f.maximum is not None else 1000
            v = rng.uniform(lo, hi, n).round(2) if f.type == "number" else rng.integers(lo, hi + 1, n)
            cols[f.name] = with_nulls(pl.Series(v), null)
        elif f.format == "uri":
            num = pl.Series(np.arange(n)).cast(pl.String)
            url = pl.select(pl.concat_str([pl.lit(f"https://example.org/{res.name}/"), pl.lit(num)]))
            cols[f.name] = with_nulls(url.to_series(), null)
        elif f.pattern:
            pool = next((p for p in POOLS if all(re.fullmatch(f.pattern, v) for v in p)), None)
            serial = next((form for form in SERIALS if re.fullmatch(f.pattern, form.format(1))), None)
            if pool:
                cols[f.name] = with_nulls(pl.Series(pool).gather(rng.integers(0, len(pool), n)), null)
            elif serial:
                # Numbered by the row's place in the whole package, so unique across tables too.
                first = 1000 + sum(counts[r.name] for r in pkg.resources[:pkg.resource_names.index(res.name)])
                head, tail = serial.split("{}")
                num = pl.Series(np.arange(first, first + n)).cast(pl.String)
                values = pl.select(pl.concat_str([pl.lit(head), num, pl.lit(tail)])).to_series()
                cols[f.name] = with_nulls(values, null)
            else:
                raise SynthError(f"no values for the pattern {f.pattern} of {res.name}.{f.name}: add a pool")
        else:
            cols[f.name] = with_nulls(text(rng, n), null)
    return cols


def apply_rules(tables: dict[str, dict[str, Column]], counts: dict[str, int], rng: np.random.Generator
                ) -> dict[str, np.ndarray]:
    """The data model's rules across rows and tables. Returns the rows each rule ties to others
    (signing parties and their roles), which planted errors leave alone so each plant is one error."""
    for cols in tables.values():
        for start, end in DATE_PAIRS:
            if isinstance(cols.get(start), Dates) and isinstance(cols.get(end), Dates):
                s, e = cols[start], cols[end]
                e.days = s.days + rng.integers(MIN_GAP, MAX_GAP, len(s.days)).astype(np.int32)
    protected = {name: np.zeros(n, bool) for name, n in counts.items()}

    src = tables.get("sources", {})
    if {"url", "locator"} <= src.keys():
        # A page without a recorded web address has a locator instead (README, "sources").
        no_url = pl.lit(src["url"]).is_null()
        src["locator"] = pl.select(pl.lit(src["locator"]).fill_null(
            pl.when(no_url).then(pl.lit(text(rng, len(src["url"])))))).to_series()

    ag = tables.get("agreements", {})
    if isinstance(ag.get("date"), Dates) and isinstance(ag.get("follows_id"), Ref):
        # Sorted by date, so IDs run in date order; follows_id picks a strictly earlier year.
        d, fol = ag["date"], ag["follows_id"]
        d.days.sort()
        dated = np.flatnonzero(~d.null)
        years = d.days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
        k = np.searchsorted(years[dated], years, "left")  # dated agreements of an earlier year
        pick = (rng.random(len(k)) * k).astype(np.int64)
        fol.idx = np.where((fol.idx >= 0) & ~d.null & (k > 0), dated[pick.clip(0, len(dated) - 1)], -1) \
            if len(dated) else np.full(len(k), -1)

    rel = tables.get("org_relations", {})
    if {"subject_id", "object_id", "kind"} <= rel.keys():
        a, b = rel["subject_id"].idx, rel["object_id"].idx
        b = np.where(a == b, (a + 1) % counts["organisations"], b)
        # Subject after object in file order: subsidiary-of edges form no cycle.
        rel["subject_id"].idx, rel["object_id"].idx = np.maximum(a, b), np.minimum(a, b)
        if "share_percent" in rel:
            holder = (rel["kind"] == "shareholder-of").to_numpy()
            obj = np.where(holder, rel["object_id"].idx, -1)
            per_object = np.bincount(obj[holder], minlength=counts["organisations"])
            # Each holder takes at most its equal part of 100%, so the parts of one company sum to <= 100.
            part = 100 / np.maximum(per_object[obj], 1)
            share = np.floor(rng.uniform(0.05, 1.0, len(obj)) * part * 100) / 100
            rel["share_percent"] = pl.Series(np.where(holder, share, np.nan)).fill_nan(None)

    parties, roles = tables.get("agreement_parties", {}), tables.get("roles", {})
    if {"role", "org_id", "signatory_person_id", "agreement_id"} <= parties.keys() and all(
            isinstance(c, Dates) for c in (ag.get("date"), roles.get("start_date"), roles.get("end_date"))):
        signs = (parties["role"] == "signatory").to_numpy() & (rng.random(counts["agreement_parties"]) < 0.8)
        rows = np.flatnonzero(signs)[: counts["roles"]]
        chosen = rng.permutation(counts["roles"])[: len(rows)]
        person = parties["signatory_person_id"]
        person.idx = np.full(len(person.idx), -1)
        person.idx[rows] = roles["person_id"].idx[chosen]
        parties["org_id"].idx[rows] = roles["org_id"].idx[chosen]
        # The signer holds the role on the agreement's date: it starts a year or more before, and
        # ends a year or more after (or is open).
        day = ag["date"].days[parties["agreement_id"].idx[rows]]
        dated = ~ag["date"].null[parties["agreement_id"].idx[rows]]
        rs, re_ = roles["start_date"], roles["end_date"]
        rs.days[chosen] = np.where(dated, day - rng.integers(MIN_GAP, MAX_GAP, len(rows)), rs.days[chosen])
        rs.null[chosen] &= ~dated
        end = day + rng.integers(MIN_GAP, MAX_GAP, len(rows))
        re_.days[chosen] = np.where(dated, end, re_.days[chosen])
        re_.null[chosen] |= dated & ((end > TODAY) | (rng.random(len(rows)) < 0.5))
        protected["agreement_parties"][rows] = True
        protected["roles"][chosen] = True
    return protected


def to_frame(res: Resource, cols: dict[str, Column], ids: dict[str, pl.Series], rng: np.random.Generator
             ) -> pl.DataFrame:
    out = {}
    for name, col in cols.items():
        if isinstance(col, Ref):
            pool = pl.concat([ids[t] for t in col.targets])
            offsets = np.cumsum([0] + [len(ids[t]) for t in col.targets])[col.which]
            pos = pl.Series(np.where(col.idx >= 0, col.idx + offsets, -1)).replace(-1, None)
            out[name] = pool.gather(pos)
        elif isinstance(col, Dates):
            length = np.array([4, 7, 10])[rng.choice(3, len(col.days), p=[0.15, 0.25, 0.6])]
            s = pl.Series(col.days).cast(pl.Date).dt.strftime("%Y-%m-%d")
            out[name] = with_nulls(pl.DataFrame({"s": s, "n": length}).select(
                pl.col("s").str.head(pl.col("n"))).to_series(), col.null)
        else:
            out[name] = col
    return pl.DataFrame({f: out[f].alias(f) for f in res.field_names})


def build_citations(pkg: Package, res: Resource, frames: dict[str, pl.DataFrame],
                    cited: dict[str, np.ndarray], n: int, n_missing: int, rng: np.random.Generator
                    ) -> tuple[pl.DataFrame, list[int]]:
    """Every cited row gets a whole-row citation; the rest are field citations spread over rows.
    Returns the sorted table and the rows whose record_id was made to point nowhere."""
    sources = frames["sources"]["id"]
    facts = [name for name in frames if name not in UNCITED_TABLES]
    rec_ids = pl.concat([frames[t]["id"].filter(pl.Series(cited[t])) for t in facts])
    options = [["*", *(c for c in frames[t].columns if c != "id")] for t in facts]
    table_of = np.concatenate([np.full(int(cited[t].sum()), i) for i, t in enumerate(facts)])
    first_src = rng.integers(0, len(sources), len(rec_ids))
    extra = n - len(rec_ids)
    rounds = -(-extra // max(len(rec_ids), 1))
    if extra < n_missing:
        raise SynthError(f"{n_missing} citations to plant errors in but {extra} to spare; "
                         "raise --rows or lower --errors")
    if extra and rounds + 1 >= len(sources):
        raise SynthError(f"{len(sources)} sources are too few for {extra} extra citations; raise --rows")
    # The j-th extra cites record perm[j % R] from a source that differs per round: keys stay unique.
    j = np.arange(extra)
    rec = rng.permutation(len(rec_ids))[j % max(len(rec_ids), 1)]
    src = (first_src[rec] + 1 + j // max(len(rec_ids), 1)) % len(sources)
    # A column of the cited row's table, or "*": options of all tables end to end, picked by offset.
    n_opts = np.array([len(o) for o in options])
    start = np.cumsum(np.concatenate([[0], n_opts[:-1]]))[table_of[rec]]
    field = pl.Series([o for opts in options for o in opts]).gather(
        start + (rng.random(extra) * n_opts[table_of[rec]]).astype(np.int64))
    record_id = pl.concat([rec_ids, rec_ids.gather(rec)])
    field_s = pl.concat([pl.repeat("*", len(rec_ids), dtype=pl.String, eager=True), field])
    missing = len(rec_ids) + rng.choice(extra, n_missing, replace=False) if n_missing else np.array([], int)
    if n_missing:
        prefix = [pkg.resource(facts[table_of[rec[m - len(rec_ids)]]]).id_prefix for m in missing]
        record_id = record_id.scatter(missing, [f"{p}-missing-{k}" for k, p in enumerate(prefix)])
        field_s = field_s.scatter(missing, ["*"] * n_missing)
    key = {"record_id": record_id, "field": field_s,
           "source_id": sources.gather(np.concatenate([first_src, src]))}
    rest = generate(pkg, res, n, {}, {}, rng, skip=CITATION_KEY)
    tag = np.zeros(n, bool)
    tag[missing] = True
    df = pl.DataFrame({f: key[f] if f in key else rest[f] for f in res.field_names}).with_columns(
        _tag=pl.Series(tag)).sort(list(CITATION_KEY))
    df = translations(df, frames["sources"])
    return df.drop("_tag"), np.flatnonzero(df["_tag"].to_numpy()).tolist()


def translations(cits: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """`quote_en` where a verbatim quote's source is in a language other than English, and nowhere else
    (the validator's translation-missing and translation-not-needed)."""
    if not {"quote_en", "quote_kind"} <= set(cits.columns) or "language" not in sources.columns:
        return cits
    lang = sources.select(pl.col("id").alias("source_id"), pl.col("language").alias("_lang"))
    needs = ((pl.col("quote_kind") == "verbatim") & pl.col("_lang").is_not_null()
             & (pl.col("_lang").str.extract(r"^([a-z]+)") != "en"))
    return (cits.join(lang, on="source_id", how="left", maintain_order="left")
            .with_columns(pl.when(needs).then(pl.col("quote_en").fill_null(pl.col("quote"))).alias("quote_en"))
            .drop("_lang"))


class Planter:
    """Plants K errors of mixed kinds, each alone on its row so it is exactly one error, and records
    where: the IDs and references before citations are built, the cell values after."""

    def __init__(self, pkg: Package, frames: dict[str, pl.DataFrame], protected: dict[str, np.ndarray],
                 k: int, rng: np.random.Generator):
        self.pkg, self.frames, self.protected, self.rng = pkg, frames, protected, rng
        kinds = list(ERROR_CODES)
        self.todo = [kinds[i % len(kinds)] for i in range(k)]
        self.used: dict[str, set[int]] = {name: set() for name in protected}
        self.planted: list[dict] = []

    def count(self, kind: str) -> int:
        return self.todo.count(kind)

    def code_for(self, kind: str, resource: str, field: str) -> str:
        """The validator's code: language and country fields have their own pattern codes, and a
        reference without a declared foreign key (a polymorphic one) is `reference-unresolved`."""
        res = self.pkg.resource(resource)
        if kind == "pattern" and res.field(field).is_language:
            return "language-invalid"
        if kind == "pattern" and res.field(field).is_country:
            return "country-invalid"
        if kind == "dangling" and field not in {fk.field for fk in res.foreign_keys}:
            return "reference-unresolved"
        return ERROR_CODES[kind]

    def record(self, kind: str, resource: str, row: int, field: str) -> None:
        self.used[resource].add(row)
        code = self.code_for(kind, resource, field)
        self.planted.append({"code": code, "resource": resource, "row": row + 2, "field": field})

    def pick_row(self, candidates: list[tuple[str, str | None]], ok=lambda t, f, r: True
                 ) -> tuple[str, str | None, int]:
        """A random free row of a random candidate (table, field) that `ok` accepts."""
        for i in self.rng.permutation(len(candidates)):
            table, field = candidates[i]
            n = self.frames[table].height
            for r in self.rng.integers(0, n, 200) if n else []:
                r = int(r)
                if r not in self.used[table] and not self.protected[table][r] and ok(table, field, r):
                    return table, field, r
        raise SynthError("no free row left to plant an error in; raise --rows or lower --errors")

    def cell(self, table: str, field: str, row: int) -> str | None:
        return self.frames[table][field][row]

    def put(self, table: str, field: str, row: int, value) -> None:
        df = self.frames[table]
        self.frames[table] = df.with_columns(df[field].scatter([row], [value]))

    def plant_structure(self) -> dict[str, np.ndarray]:
        """Duplicate keys, dangling references and uncited rows; returns the rows to cite."""
        pkg, facts = self.pkg, [t for t in self.frames if t not in UNCITED_TABLES]
        cited = {t: np.ones(self.frames[t].height, bool) for t in facts}
        refs = [(r.name, f.name, ref_targets(pkg, r, f.name)) for r in pkg.resources if r.name != CITATIONS
                for f in r.fields]
        refs = [x for x in refs if x[2]]
        referenced = {t for _, _, targets in refs for t in targets}
        for n, kind in enumerate(self.todo):
            if kind == "duplicate":
                # Only in tables no other row points to, so the ID that disappears leaves nothing dangling.
                table, _, r = self.pick_row([(t, "id") for t in facts if t not in referenced],
                                            lambda t, f, r: r > 0 and r - 1 not in self.used[t]
                                            and not self.protected[t][r - 1])
                self.put(table, "id", r, self.cell(table, "id", r - 1))
                cited[table][r] = False  # its ID is the earlier row's, cited there
                self.used[table].add(r - 1)
                self.record(kind, table, r, "id")
            elif kind == "dangling":
                table, field, r = self.pick_row([(t, f) for t, f, _ in refs],
                                                lambda t, f, r: self.cell(t, f, r) is not None)
                target = next(tg for t, f, tg in refs if (t, f) == (table, field))[0]
                self.put(table, field, r, f"{pkg.resource(target).id_prefix}-missing-{n}")
                self.record(kind, table, r, field)
            elif kind == "uncited":
                table, _, r = self.pick_row([(t, None) for t in facts])
                cited[table][r] = False
                self.record(kind, table, r, "id")
        return cited

    def record_missing(self, rows: list[int]) -> None:
        self.used[CITATIONS] = set()
        self.protected[CITATIONS] = np.zeros(self.frames[CITATIONS].height, bool)
        for r in rows:
            self.record("missing-record", CITATIONS, r, "record_id")

    def plant_values(self) -> None:
        pkg = self.pkg
        fields = [(r, f) for r in pkg.resources for f in r.fields
                  if f.name not in r.primary_key and not ref_targets(pkg, r, f.name)
                  and not (r.name == CITATIONS and f.name in (*CITATION_KEY, "quote"))]
        candidates = {
            "pattern": [(r.name, f.name) for r, f in fields if f.pattern and not f.is_date],
            "enum": [(r.name, f.name) for r, f in fields if f.enum],
            "required": [(r.name, f.name) for r, f in fields if f.required],
            "calendar": [(r.name, f.name) for r, f in fields if f.is_date],
            "order": [(r.name, DATE_PAIRS[0][1]) for r in pkg.resources
                      if set(DATE_PAIRS[0]) <= set(r.field_names)],
        }
        filled = lambda t, f, r: self.cell(t, f, r) is not None  # noqa: E731
        start = DATE_PAIRS[0][0]
        for kind in self.todo:
            if kind not in candidates:
                continue
            ok = (lambda t, f, r: filled(t, f, r) and filled(t, start, r)) if kind == "order" else filled
            table, field, r = self.pick_row(candidates[kind], ok)
            value = self.cell(table, field, r)
            if kind == "order":  # a year before the start: out of order at any precision
                new = str(int(self.cell(table, start, r)[:4]) - 1)
            elif kind == "calendar":  # same year, so date order and the signatory rule still hold
                new = f"{value[:4]}-02-30"
            else:
                new = {"pattern": BAD_PATTERN, "enum": BAD_ENUM, "required": None}[kind]
            self.put(table, field, r, new)
            self.record(kind, table, r, field)


def synthesize(out: Path, rows: int, seed: int = 0, errors: int = 0, pkg: Package | None = None
               ) -> list[dict]:
    """Write the package to `out`; return the planted errors."""
    pkg = pkg or Package.open()
    rng = np.random.default_rng(seed)
    counts = counts_for(pkg, rows)
    ids = {r.name: make_ids(r.id_prefix, counts[r.name]) for r in pkg.resources if r.id_prefix}
    tables = {r.name: generate(pkg, r, counts[r.name], counts, ids, rng) for r in pkg.resources
              if r.name != CITATIONS}
    protected = apply_rules(tables, counts, rng)
    frames = {name: to_frame(pkg.resource(name), cols, ids, rng) for name, cols in tables.items()}
    planter = Planter(pkg, frames, protected, errors, rng)
    cited = planter.plant_structure()
    frames[CITATIONS], missing_rows = build_citations(
        pkg, pkg.resource(CITATIONS), frames, cited, counts[CITATIONS], planter.count("missing-record"), rng)
    planter.record_missing(missing_rows)
    planter.plant_values()
    write_package(pkg, frames, out)
    order = pkg.resource_names
    planted = sorted(planter.planted, key=lambda p: (order.index(p["resource"]), p["row"]))
    write_text(out / "planted-errors.json", json.dumps(planted, indent=2) + "\n")
    return planted


def write_package(pkg: Package, frames: dict[str, pl.DataFrame], out: Path) -> None:
    dump = lambda d: json.dumps(d, indent=2, ensure_ascii=False) + "\n"  # noqa: E731
    for res in pkg.resources:
        if res.schema_path:
            write_text(out / res.schema_path, dump(res.schema))
        with atomic_path(out / res.path) as tmp:
            frames[res.name].write_csv(tmp, float_precision=2)
    write_text(out / "datapackage.json", dump(pkg.descriptor))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, required=True, help="total data rows over all twelve tables")
    ap.add_argument("--out", type=Path, required=True, help="folder to write the package to")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--errors", type=int, default=0, help="plant this many errors (see planted-errors.json)")
    ap.add_argument("--package", type=Path, help="descriptor and schemas to use (default: the shipped ones)")
    args = ap.parse_args(argv)
    if args.errors < 0:
        ap.error("--errors must be 0 or more")
    try:
        planted = synthesize(args.out, args.rows, args.seed, args.errors, Package.open(args.package))
    except (SynthError, EcoclusterError) as e:
        print(f"synthesize: {e}", file=sys.stderr)
        return 2
    print(f"wrote {args.rows} rows to {args.out} ({len(planted)} planted errors)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
