"""The joins people ask for, defined once for every SQL export (SQLite, DuckDB, the portable file).

Each view has a name, a title and a description (kept in the databases' metadata table and meant
for tools such as Datasette), the tables it needs, and one SELECT written in the SQL that SQLite,
DuckDB and PostgreSQL share: quoted identifiers, LEFT JOINs, COALESCE, substr/length, LIMIT.

Every view ends its ORDER BY on a unique key and writes NULLS LAST where a key can be empty (SQLite
puts NULL first by default, PostgreSQL last), so its rows come in one order in every database. Text
keys compare by code point in SQLite and DuckDB; in the PostgreSQL file they say COLLATE "C" so the
server's locale does not reorder them (the portable file cannot: SQLite knows no "C" collation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...base.escape import quote_ident as q
from ...base.escape import quote_literal
from ...package import Package
from . import Dialect


@dataclass(frozen=True)
class View:
    name: str
    title: str
    description: str
    tables: tuple[str, ...]
    select: Callable[[Package, Dialect], str]

    def create(self, package: Package, dialect: Dialect = "portable") -> str:
        return f"CREATE VIEW {q(self.name)} AS\n{self.select(package, dialect)}"


def _collate(dialect: Dialect) -> str:
    """What follows a text sort key: code-point order in PostgreSQL too, whatever the server's locale."""
    return ' COLLATE "C"' if dialect == "postgres" else ""


# A role is held on a date when it starts no later and ends no earlier, compared at the precision
# each value has: a role ending `2023` still holds on `2023-05-22`.
_HELD_ON = (
    '(a."date" IS NULL OR ((r."start_date" IS NULL'
    ' OR r."start_date" <= substr(a."date", 1, length(r."start_date")))'
    ' AND (r."end_date" IS NULL OR r."end_date" >= substr(a."date", 1, length(r."end_date")))))'
)


def _agreement_signatories(package: Package, dialect: Dialect) -> str:
    c = _collate(dialect)
    return f"""SELECT a."id" AS "agreement_id", a."title" AS "agreement_title", a."kind" AS "agreement_kind",
  a."status" AS "agreement_status", a."date" AS "agreement_date", a."place" AS "agreement_place",
  p."id" AS "party_id", p."org_id" AS "org_id", o."name" AS "org_name", p."role" AS "party_role",
  p."signatory_person_id" AS "signatory_person_id", s."name" AS "signatory_name",
  r."title" AS "signatory_title", r."title_local" AS "signatory_title_local"
FROM "agreement_parties" p
JOIN "agreements" a ON a."id" = p."agreement_id"
JOIN "organisations" o ON o."id" = p."org_id"
LEFT JOIN "people" s ON s."id" = p."signatory_person_id"
LEFT JOIN "roles" r ON r."id" = (
  SELECT r."id" FROM "roles" r
  WHERE r."person_id" = p."signatory_person_id" AND r."org_id" = p."org_id" AND {_HELD_ON}
  ORDER BY COALESCE(r."start_date", ''){c} DESC, r."id"{c} LIMIT 1)
ORDER BY a."date"{c} NULLS LAST, a."id"{c}, p."id"{c}"""


def _role_holders(package: Package, dialect: Dialect) -> str:
    c = _collate(dialect)
    return f"""SELECT r."id" AS "role_id", r."person_id" AS "person_id", pe."name" AS "person_name",
  r."org_id" AS "org_id", o."name" AS "org_name", r."title" AS "title", r."title_local" AS "title_local",
  r."start_date" AS "start_date", r."end_date" AS "end_date"
FROM "roles" r
JOIN "people" pe ON pe."id" = r."person_id"
JOIN "organisations" o ON o."id" = r."org_id"
ORDER BY o."name"{c}, r."start_date"{c} NULLS LAST, r."id"{c}"""


def _project_organisations(package: Package, dialect: Dialect) -> str:
    c = _collate(dialect)
    return f"""SELECT pr."id" AS "project_id", pr."name" AS "project_name", pr."kind" AS "project_kind",
  pr."status" AS "project_status", pr."status_as_of" AS "project_status_as_of",
  pp."org_id" AS "org_id", o."name" AS "org_name", pp."role" AS "role", pp."id" AS "participant_id"
FROM "project_participants" pp
JOIN "projects" pr ON pr."id" = pp."project_id"
JOIN "organisations" o ON o."id" = pp."org_id"
ORDER BY pr."id"{c}, pp."role"{c}, o."name"{c}, pp."id"{c}"""


def _cited_facts(package: Package, dialect: Dialect) -> str:
    c = _collate(dialect)
    # Every table keyed by `id` can be cited; label each record by its name or title where it has one.
    parts = []
    for res in package.resources:
        if res.primary_key != ("id",) or res.name in ("sources", "citations"):
            continue
        label = next((c for c in ("name", "title") if c in res.field_names), "id")
        parts.append(f"SELECT {quote_literal(res.name)} AS \"record_table\", {q('id')} AS \"record_id\", "
                     f"{q(label)} AS \"record_label\" FROM {q(res.name)}")
    records = "\n  UNION ALL ".join(parts)
    # the curators' translation, where the package has the column (0.3.0 and later)
    cites = package.resource("citations").field_names
    en = ' c."quote_en" AS "quote_en",' if "quote_en" in cites else ""
    return f"""SELECT rec."record_table" AS "record_table", c."record_id" AS "record_id",
  rec."record_label" AS "record_label", c."field" AS "field", c."quote" AS "quote",{en}
  c."quote_kind" AS "quote_kind", c."note" AS "note", c."source_id" AS "source_id",
  s."title" AS "source_title", s."publisher" AS "source_publisher", s."url" AS "source_url",
  s."locator" AS "source_locator", s."published_date" AS "source_published_date"
FROM "citations" c
JOIN "sources" s ON s."id" = c."source_id"
LEFT JOIN (
  {records}
) rec ON rec."record_id" = c."record_id"
ORDER BY c."record_id"{c}, c."field"{c}, c."source_id"{c}"""


VIEWS: tuple[View, ...] = (
    View("agreement_signatories", "Who signed which agreement, for whom, in what role",
         "One row per party to an agreement: the agreement, the organisation, its role (signatory, "
         "party, witness), the person who signed for it and the position that person held there on "
         "the agreement's date.",
         ("agreements", "agreement_parties", "organisations", "people", "roles"), _agreement_signatories),
    View("role_holders", "Who holds which role where",
         "Every position a person holds in an organisation, with names, titles in English and the "
         "original language, and dates.",
         ("roles", "people", "organisations"), _role_holders),
    View("project_organisations", "Which organisations take part in which project",
         "Every organisation taking part in a project, with its part (lead, partner, host, funder, "
         "technology partner, supplier) and the project's latest known status.",
         ("projects", "project_participants", "organisations"), _project_organisations),
    View("cited_facts", "Every fact with its quote and source",
         "One row per citation: the cited record (its table and label), the field it supports "
         "(`*` for the whole row), the verbatim quote or summary, the curators' English translation of a "
         "quote not in English (`quote_en`, not the source's words), and the source it comes from.",
         ("citations", "sources"), _cited_facts),
)


def available_views(package: Package) -> list[View]:
    """The views whose tables the package has (a small test package may lack some)."""
    names = set(package.resource_names)
    return [v for v in VIEWS if set(v.tables) <= names]
