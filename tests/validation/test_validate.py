"""`ecocluster validate`: one broken variant of the valid fixture per rule and per bad input.

Each variant is the valid fixture with a small edit made in tmp_path; each asserts the exact
(code, resource, row, field) errors, the exit code, and that no traceback reaches stderr.
"""

from __future__ import annotations

import json

import golden
import pytest
from click.testing import CliRunner
from pkgedits import VALID, Edit, append, descriptor, found, schema, sub, write
from pkgedits import package as build

from ecocluster.cli import main
from ecocluster.validation import validate


def remove(rel: str) -> Edit:
    return lambda root: (root / rel).unlink()


def set_path(table: str, value: object, key: str = "path") -> Edit:
    def change(dp: dict) -> None:
        next(r for r in dp["resources"] if r["name"] == table)[key] = value

    return descriptor(change)


def mark_unique(table: str, field: str) -> Edit:
    def change(s: dict) -> None:
        next(f for f in s["fields"] if f["name"] == field).setdefault("constraints", {})["unique"] = True

    return schema(table, change)


def cite(record_id: str) -> Edit:
    """Cite a row added by a variant, keeping its only problem the one under test."""
    return append(
        "citations", f"{record_id},*,src-herald-2023,Busan and Renault Korea signed the MOU,dossier-summary,,"
    )


CRLF_BOM_QUOTES = (
    "\ufeffid,name,family_name,given_name,wikidata_id\r\n"
    'person-park-heong-joon,"Park Heong-joon",Park,"Heong-joon",\r\n'
    'person-stephane-deblaise,"Stéphane ""Steph""\nDeblaise",Deblaise,Stéphane,\r\n'
).encode()

# name -> (edits, expected [(code, resource, row, field)], exit code)
CASES: dict[str, tuple[list[Edit], list[tuple], int]] = {
    # the package itself
    "descriptor-invalid": (
        [write("datapackage.json", b'{"resources": [,]}')],
        [("descriptor-invalid", None, None, None)],
        2,
    ),
    "descriptor-not-object": (
        [write("datapackage.json", b"[1, 2]")],
        [("descriptor-invalid", None, None, None)],
        2,
    ),
    "descriptor-no-resources": (
        [write("datapackage.json", b'{"name": "x", "resources": []}')],
        [("descriptor-no-resources", None, None, None)],
        2,
    ),
    "resource-path-outside": (
        [set_path("people", "../people.csv")],
        [("resource-path-outside", "people", None, None)],
        2,
    ),
    "resource-path-absolute": (
        [set_path("people", "/etc/passwd")],
        [("resource-path-outside", "people", None, None)],
        2,
    ),
    "resource-path-remote": (
        [set_path("people", "https://example.org/people.csv")],
        [("resource-path-remote", "people", None, None)],
        2,
    ),
    "resource-path-invalid": ([set_path("people", 5)], [("resource-path-invalid", "people", None, None)], 2),
    "schema-missing": ([remove("schemas/people.schema.json")], [("schema-missing", "people", None, None)], 2),
    "schema-invalid": (
        [write("schemas/people.schema.json", b"{")],
        [("schema-invalid", "people", None, None)],
        2,
    ),
    "schema-no-fields": (
        [write("schemas/people.schema.json", b"{}")],
        [("schema-invalid", "people", None, None)],
        2,
    ),
    "schema-foreign-key-unknown-resource": (
        [schema("roles", lambda s: s["foreignKeys"][0]["reference"].update(resource="persons"))],
        [("schema-invalid", "roles", None, "person_id")],
        2,
    ),
    "schema-constraints-not-object": (
        [schema("roles", lambda s: s["fields"][1].update(constraints="x"))],
        [("schema-invalid", "roles", None, None)],
        2,
    ),
    "schema-primary-key-unknown": (
        [schema("roles", lambda s: s.update(primaryKey=["nope"]))],
        [("schema-invalid", "roles", None, None)],
        2,
    ),
    "schema-foreign-key-unknown-field": (
        [schema("roles", lambda s: s["foreignKeys"][0]["reference"].update(fields=["nope"]))],
        [("schema-invalid", "roles", None, "person_id")],
        2,
    ),
    "schema-pattern-not-a-regex": (
        [schema("roles", lambda s: s["fields"][1]["constraints"].update(pattern="([a-z"))],
        [("schema-invalid", "roles", None, "person_id")],
        2,
    ),
    # the largest file is read beside the schema checks: when those fail, what it found is dropped
    "schema-invalid-hides-the-early-read": (
        [
            schema("roles", lambda s: s["fields"][1]["constraints"].update(pattern="([a-z")),
            sub("citations", "record_id,", "recordid,"),  # a header mistake that keeps it the largest
        ],
        [("schema-invalid", "roles", None, "person_id")],
        2,
    ),
    # files, headers and row shapes
    "file-missing": ([remove("data/people.csv")], [("file-missing", "people", None, None)], 1),
    "file-empty": ([write("data/people.csv", b"")], [("file-empty", "people", None, None)], 1),
    "encoding-invalid": (
        [
            sub(
                "people",
                "Stéphane Deblaise,Deblaise,Stéphane",
                "St\udce9phane Deblaise,Deblaise,St\udce9phane",
            )
        ],
        [("encoding-invalid", "people", 3, None)],
        1,
    ),
    "csv-invalid": (
        [sub("people", "Park Heong-joon,Park", '"Park Heong-joon,Park')],
        [("csv-invalid", "people", 2, None)],
        1,
    ),
    "header-missing-column": (
        [
            write(
                "data/people.csv",
                b"id,name,family_name,given_name\n"
                b"person-park-heong-joon,Park Heong-joon,Park,Heong-joon\n"
                b"person-stephane-deblaise,St\xc3\xa9phane Deblaise,Deblaise,St\xc3\xa9phane\n",
            )
        ],
        [("header-missing-column", "people", 1, "wikidata_id")],
        1,
    ),
    "header-extra-column": (
        [
            sub("people", "wikidata_id\n", "wikidata_id,nickname\n"),
            sub("people", "Heong-joon,\n", "Heong-joon,,\n"),
            sub("people", "Stéphane,\n", "Stéphane,,\n"),
        ],
        [("header-extra-column", "people", 1, "nickname")],
        1,
    ),
    "header-renamed-column": (
        [sub("people", "given_name", "first_name")],
        [
            ("header-missing-column", "people", 1, "given_name"),
            ("header-extra-column", "people", 1, "first_name"),
        ],
        1,
    ),
    "header-duplicate-column": (
        [
            sub("people", "wikidata_id\n", "wikidata_id,name\n"),
            sub("people", "Heong-joon,\n", "Heong-joon,,x\n"),
            sub("people", "Stéphane,\n", "Stéphane,,y\n"),
        ],
        [("header-duplicate-column", "people", 1, "name")],
        1,
    ),
    "header-order": (
        [
            write(
                "data/people.csv",
                b"id,name,given_name,family_name,wikidata_id\n"
                b"person-park-heong-joon,Park Heong-joon,Heong-joon,Park,\n"
                b"person-stephane-deblaise,St\xc3\xa9phane Deblaise,St\xc3\xa9phane,Deblaise,\n",
            )
        ],
        [("header-order", "people", 1, None)],
        1,
    ),
    "row-truncated": (
        [sub("people", "Deblaise,Deblaise,Stéphane,\n", "Deblaise,Deblaise\n")],
        [("row-truncated", "people", 3, "given_name")],
        1,
    ),
    "row-extra-cells": (
        [sub("people", "Stéphane,\n", "Stéphane,,extra\n")],
        [("row-extra-cells", "people", 3, None)],
        1,
    ),
    "row-blank": ([sub("people", "Heong-joon,\n", "Heong-joon,\n\n")], [("row-blank", "people", 3, None)], 1),
    "row-of-empty-cells": (
        [sub("people", "Heong-joon,\n", "Heong-joon,\n,,,,\n")],
        [("row-blank", "people", 3, None)],
        1,
    ),
    # cells, by the Table Schema
    "required-missing": (
        [sub("organisations", "org-renault-group,Renault Group,", "org-renault-group,,")],
        [("required-missing", "organisations", 3, "name")],
        1,
    ),
    "type-invalid": (
        [sub("org_relations", "52.82", "about 52")],
        [("type-invalid", "org_relations", 2, "share_percent")],
        1,
    ),
    "out-of-range": (
        [sub("org_relations", "52.82", "-5")],
        [("out-of-range", "org_relations", 2, "share_percent")],
        1,
    ),
    "enum-invalid": (
        [sub("organisations", "government", "Government")],
        [("enum-invalid", "organisations", 2, "kind")],
        1,
    ),
    "pattern-mismatch": (
        [sub("organisations", "Q6686", "6686")],
        [("pattern-mismatch", "organisations", 3, "wikidata_id")],
        1,
    ),
    "id-invalid": (
        [sub("projects", "project-eco-cluster-lab", "project-Eco-lab")],
        [
            ("id-invalid", "projects", 3, "id"),
            ("row-not-cited", "projects", 3, "id"),
            ("reference-unresolved", "citations", 20, "record_id"),
        ],
        1,
    ),
    "date-invalid-form": (
        [sub("organisations", "FR,1899", "FR,1899-13")],
        [("date-invalid", "organisations", 3, "founded")],
        1,
    ),
    "date-invalid-day": (
        [sub("organisations", "FR,1899", "FR,1899-02-30")],
        [("date-invalid", "organisations", 3, "founded")],
        1,
    ),
    "language-invalid-word": (
        [sub("sources", ",2023-05-22,en,", ",2023-05-22,english,")],
        [("language-invalid", "sources", 2, "language")],
        1,
    ),
    "language-invalid-case": (
        [sub("names", "부산광역시,ko,", "부산광역시,KO,")],
        [("language-invalid", "names", 2, "language")],
        1,
    ),
    "country-unassigned": (
        [sub("organisations", "company,FR", "company,UK")],
        [("country-invalid", "organisations", 3, "country")],
        1,
    ),
    "country-lowercase": (
        [sub("organisations", "company,FR", "company,fr")],
        [("country-invalid", "organisations", 3, "country")],
        1,
    ),
    "uri-invalid": (
        [sub("organisations", "https://www.renaultgroup.com", "www.renault group.com")],
        [("uri-invalid", "organisations", 3, "website")],
        1,
    ),
    "unique-duplicate": (
        [mark_unique("people", "family_name"), sub("people", "Deblaise,Deblaise", "Deblaise,Park")],
        [("unique-duplicate", "people", 3, "family_name")],
        1,
    ),
    "primary-key-duplicate": (
        [append("people", "person-park-heong-joon,Park Hyeong-jun,Park,Hyeong-jun,")],
        [("primary-key-duplicate", "people", 4, "id"), ("reference-ambiguous", "citations", 17, "record_id")],
        1,
    ),
    "primary-key-duplicate-composite": (
        [
            sub(
                "citations",
                "agreement-2023-05-22-mou,date,src-yonhap-2023,22일 업무협약을 체결했다,verbatim,,signed the "
                "business agreement on the 22nd",
                "agreement-2023-05-22-mou,*,src-herald-2023,22일 업무협약을 체결했다,verbatim,,",
            )
        ],
        [("primary-key-duplicate", "citations", 4, "record_id")],
        1,
    ),
    # text conventions
    "text-not-nfc": (
        [sub("people", "Stéphane Deblaise", "Ste\u0301phane Deblaise")],
        [("text-not-nfc", "people", 3, "name")],
        1,
    ),
    "text-stray-space": (
        [sub("organisations", "Renault Group,", " Renault Group,")],
        [("text-stray-space", "organisations", 3, "name")],
        1,
    ),
    "formula-unsafe": (
        [sub("names", "Renault Samsung Motors", '=HYPERLINK(""x"")')],
        [("formula-unsafe", "names", 4, "name")],
        1,
    ),
    "formula-unsafe-at": (
        [sub("roles", ",Mayor,", ",@mayor,")],
        [("formula-unsafe", "roles", 2, "title")],
        1,
    ),
    # across rows and tables
    "id-duplicate-across-tables": (
        [append("people", "org-busan-city,Busan,,,")],
        [
            ("id-invalid", "people", 4, "id"),
            ("id-duplicate-across-tables", "people", 4, "id"),
            ("reference-ambiguous", "names", 2, "entity_id"),
            ("reference-ambiguous", "citations", 9, "record_id"),
        ],
        1,
    ),
    # reference fields have their pattern checked with the reference (see cross.deferred_patterns)
    "reference-pattern-unresolved": (
        [sub("project_participants", "center,org-busan-city", "center,ORG-X")],
        [
            ("pattern-mismatch", "project_participants", 2, "org_id"),
            ("foreign-key-missing", "project_participants", 2, "org_id"),
        ],
        1,
    ),
    "reference-pattern-to-invalid-id": (
        [
            append("organisations", "org-Busan,Busan City,government,KR,,,,"),
            sub("roles", "person-park-heong-joon,org-busan-city", "person-park-heong-joon,org-Busan"),
            cite("org-Busan"),
        ],
        [
            ("id-invalid", "organisations", 5, "id"),
            ("pattern-mismatch", "roles", 2, "org_id"),
            ("signatory-no-role", "agreement_parties", 2, "signatory_person_id"),
            ("signatory-no-role", "agreement_parties", 3, "signatory_person_id"),
            ("pattern-mismatch", "citations", 25, "record_id"),
        ],
        1,
    ),
    "polymorphic-pattern-unresolved": (
        [sub("names", "project-eco-cluster-center,Eco", "Project-x,Eco")],
        [("pattern-mismatch", "names", 3, "entity_id"), ("reference-unresolved", "names", 3, "entity_id")],
        1,
    ),
    "reference-pattern-target-missing": (
        [
            remove("data/people.csv"),
            sub(
                "roles",
                "role-park-heong-joon-busan-mayor,person-park-heong-joon",
                "role-park-heong-joon-busan-mayor,Person-Park",
            ),
        ],
        [
            ("file-missing", "people", None, None),
            ("pattern-mismatch", "roles", 2, "person_id"),
            ("signatory-no-role", "agreement_parties", 2, "signatory_person_id"),
            ("signatory-no-role", "agreement_parties", 3, "signatory_person_id"),
        ],
        1,
    ),
    "foreign-key-missing": (
        [sub("project_participants", "center,org-busan-city", "center,org-nobody")],
        [("foreign-key-missing", "project_participants", 2, "org_id")],
        1,
    ),
    "reference-unresolved": (
        [sub("names", "project-eco-cluster-center,Eco", "project-nowhere,Eco")],
        [("reference-unresolved", "names", 3, "entity_id")],
        1,
    ),
    "citation-field-unknown": (
        [sub("citations", "mou,date,", "mou,signed_on,")],
        [("citation-field-unknown", "citations", 4, "field")],
        1,
    ),
    "row-not-cited": (
        [
            sub(
                "citations",
                "project-eco-cluster-lab,*,src-herald-2023,Busan and Renault Korea signed "
                "the MOU,dossier-summary,,\n",
                "",
            )
        ],
        [("row-not-cited", "projects", 3, "id")],
        1,
    ),
    "date-order": (
        [sub("names", "former,2000,2022-03", "former,2023,2022-03")],
        [("date-order", "names", 4, "end_date")],
        1,
    ),
    "date-order-target": (
        [sub("projects", "Busan,2023,2026", "Busan,2027,2026")],
        [("date-order", "projects", 2, "target_date")],
        1,
    ),
    "self-relation": (
        [
            sub(
                "org_relations",
                "org-renault-korea,org-renault-group,subsidiary-of",
                "org-renault-korea,org-renault-korea,subsidiary-of",
            )
        ],
        [("self-relation", "org_relations", 3, "object_id")],
        1,
    ),
    "subsidiary-cycle": (
        [
            append(
                "org_relations",
                "rel-renault-group-subsidiary-of-renault-korea,org-renault-group,org-renault-korea,"
                "subsidiary-of,,,,,2023",
            ),
            cite("rel-renault-group-subsidiary-of-renault-korea"),
        ],
        [
            ("subsidiary-cycle", "org_relations", 3, "object_id"),
            ("subsidiary-cycle", "org_relations", 4, "object_id"),
        ],
        1,
    ),
    "share-total-exceeded": (
        [
            append(
                "org_relations",
                "rel-busan-city-shareholder-of-renault-korea,org-busan-city,org-renault-korea,"
                "shareholder-of,60,,,,2023",
            ),
            cite("rel-busan-city-shareholder-of-renault-korea"),
        ],
        [("share-total-exceeded", "org_relations", 4, "share_percent")],
        1,
    ),
    "reference-cycle": (
        [sub("projects", "Busan,,,,,project-eco-cluster-center", "Busan,,,,,project-eco-cluster-lab")],
        [("reference-cycle", "projects", 3, "part_of_id")],
        1,
    ),
    "follows-cycle": (
        [sub("agreements", "Busan City Hall,,\n", "Busan City Hall,,agreement-2023-05-22-mou\n")],
        [
            ("follows-not-earlier", "agreements", 2, "follows_id"),
            ("reference-cycle", "agreements", 2, "follows_id"),
            ("reference-cycle", "agreements", 3, "follows_id"),
        ],
        1,
    ),
    "follows-not-earlier": (
        [sub("agreements", "announced,,2021-09-15", "announced,,2024")],
        [("follows-not-earlier", "agreements", 3, "follows_id")],
        1,
    ),
    "signatory-no-role": (
        [
            sub(
                "agreement_parties",
                "org-renault-korea,signatory,person-stephane-deblaise",
                "org-renault-korea,signatory,person-park-heong-joon",
            )
        ],
        [("signatory-no-role", "agreement_parties", 4, "signatory_person_id")],
        1,
    ),
    "signatory-role-ended": (
        [sub("roles", "2022-03-01,2025-09-01", "2022-03-01,2023-01")],
        [("signatory-no-role", "agreement_parties", 4, "signatory_person_id")],
        1,
    ),
    # quote_en: the curators' translation of a verbatim quote from a source not in English, and only that
    "translation-missing": (
        [sub("citations", "verbatim,,signed the business agreement on the 22nd", "verbatim,,")],
        [("translation-missing", "citations", 4, "quote_en")],
        1,
    ),
    "translation-of-a-summary": (
        [sub("citations", "agreement-2023-05-22-mou,*,src-herald-2023,Busan and Renault Korea signed the MOU,"
             "dossier-summary,,", "agreement-2023-05-22-mou,*,src-herald-2023,Busan and Renault Korea signed the "
             "MOU,dossier-summary,,Busan and Renault Korea signed the MOU")],
        [("translation-not-needed", "citations", 3, "quote_en")],
        1,
    ),
    "translation-of-english": (  # any English: en-GB is English, so the translation is not needed
        [sub("sources", "2023-05,ko,", "2023-05,en-GB,")],
        [("translation-not-needed", "citations", 4, "quote_en")],
        1,
    ),
    "translation-other-language": (  # ko-Latn is not English: the translation stays required
        [sub("sources", "2023-05,ko,", "2023-05,ko-Latn,"),
         sub("citations", "verbatim,,signed the business agreement on the 22nd", "verbatim,,")],
        [("translation-missing", "citations", 4, "quote_en")],
        1,
    ),
    "translation-language-unrecorded": (  # an empty language decides nothing, with or without quote_en
        [sub("sources", "2023-05,ko,", "2023-05,,"),
         sub("citations", "verbatim,,signed the business agreement on the 22nd", "verbatim,,")],
        [],
        0,
    ),
    # valid CSV quirks are accepted, and rows after a quoted line break keep their editor line
    "quirks-accepted": ([write("data/people.csv", CRLF_BOM_QUOTES)], [], 0),
    "line-after-quoted-newline": (
        [write("data/people.csv", CRLF_BOM_QUOTES), append("people", "person-x,X,,,Q0")],
        [("pattern-mismatch", "people", 5, "wikidata_id"), ("row-not-cited", "people", 5, "id")],
        1,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_broken_variant(tmp_path, name):
    edits, expected, exit_code = CASES[name]
    root = build(tmp_path, edits)
    report = validate(root)
    assert sorted(found(report), key=repr) == sorted(expected, key=repr)
    assert report.ok == (not expected)
    assert report.stats["errors"] == len(expected)
    assert golden.messages(report, root) == golden.expected("test_validate", name)  # every word the user reads
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_package_not_found(tmp_path):
    report = validate(tmp_path / "nothing")
    assert found(report) == [("package-not-found", None, None, None)]
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_valid_fixture_and_shipped_package(root):
    assert validate(VALID).to_dict()["ok"] is True
    report = validate()
    assert report.ok, [e.to_dict() for e in report.errors[:5]]
    assert report.stats["tables"] == 12 and report.stats["rows"] > 300
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0
    assert result.stdout == f"valid: {report.stats['rows']} rows in 12 tables, no errors\n"


def test_messages_name_value_and_hint(tmp_path):
    root = build(tmp_path, CASES["country-unassigned"][0])
    (e,) = validate(root).errors
    assert e.value == "UK" and "UK" in e.message and "GB" in e.hint


def test_cli_json_is_the_library_report(tmp_path):
    root = build(tmp_path, [*CASES["signatory-no-role"][0], *CASES["date-order"][0], *CASES["row-blank"][0]])
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == validate(root).to_dict()
    assert [e["code"] for e in json.loads(result.stdout)["errors"]] == [
        "row-blank",
        "date-order",
        "signatory-no-role",
    ]


def test_max_errors_trims_output_but_not_counts(tmp_path):
    root = build(tmp_path, [*CASES["signatory-no-role"][0], *CASES["date-order"][0], *CASES["row-blank"][0]])
    report = validate(root, max_errors=1)
    assert len(report.errors) == 1 and report.stats["errors"] == 3 and not report.ok
    assert report.stats["by_code"] == {"date-order": 1, "row-blank": 1, "signatory-no-role": 1}
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "json", "--max-errors", "1"])
    assert json.loads(result.stdout) == report.to_dict()


def test_text_and_github_formats(tmp_path):
    root = build(tmp_path, CASES["enum-invalid"][0])
    text = CliRunner().invoke(main, ["validate", str(root)])
    assert text.exit_code == 1
    assert text.stdout == (
        "data/organisations.csv\n"
        "  line 2, kind: enum-invalid `Government` is not one of: company, government, public-agency, "
        "association, cooperative, council, venue-operator, other, foundation\n"
        "    hint: Use one of the listed codes exactly (lowercase, kebab-case).\n"
        "\n"
        "invalid: 1 error in 47 rows of 12 tables: enum-invalid 1\n"
    )
    gh = CliRunner().invoke(main, ["validate", str(root), "--format", "github"])
    assert gh.exit_code == 1
    assert gh.stdout.startswith(
        "::error file=data/organisations.csv,line=2,title=enum-invalid::kind: `Government`"
    )


def test_usage_errors_exit_2():
    result = CliRunner().invoke(main, ["validate", "--format", "xml"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_public_api_is_lazy_and_matches_the_contract():
    import ecocluster
    from ecocluster.validation import Report, ValidationError

    assert ecocluster.validate is validate and ecocluster.Report is Report
    report = ecocluster.validate(VALID, max_errors=None)
    assert isinstance(report, Report) and report.ok and report.errors == []
    assert set(report.to_dict()) == {"ok", "errors", "stats"}
    assert {"tables", "rows", "errors", "by_code", "by_resource", "rows_by_resource"} <= set(report.stats)
    assert list(ValidationError.__dataclass_fields__) == [
        "code",
        "resource",
        "row",
        "field",
        "value",
        "message",
        "hint",
    ]


def test_a_validator_bug_shows_no_traceback_unless_debug(monkeypatch, tmp_path):
    import ecocluster.validation.engine as engine

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "run", broken)
    result = CliRunner().invoke(main, ["validate", str(VALID)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr == ("error: internal error: RuntimeError: boom\nhint: this is a bug in ecocluster; please "
                             "report it to the project's issue tracker with the command you ran (rerun with "
                             "ECOCLUSTER_DEBUG=1 for the traceback).\n")
    debug = CliRunner().invoke(main, ["validate", str(VALID), "--debug"])
    assert debug.exit_code == 1 and "Traceback" in debug.stderr


def test_fixture_has_the_shipped_descriptor_and_schemas(root):
    # the fixture is the shipped package with fewer rows: when a schema changes, copy it here too
    assert (VALID / "datapackage.json").read_bytes() == (root / "datapackage.json").read_bytes()
    shipped = sorted(p.name for p in (root / "schemas").glob("*.json"))
    assert sorted(p.name for p in (VALID / "schemas").glob("*.json")) == shipped
    for name in shipped:
        assert (VALID / "schemas" / name).read_bytes() == (root / "schemas" / name).read_bytes(), name


@pytest.mark.parametrize("variant", ["valid", "schema-foreign-key-unknown-field"])
def test_the_language_import_never_outlives_the_run(tmp_path, monkeypatch, variant):
    # The language registry is imported in a thread while the files are read. validate() joins that
    # thread before it returns, on the early return of a schema error too, even when the import is
    # slower than the whole run.
    import threading
    import time

    from ecocluster.validation import standards

    real = standards.language_registry
    warmed: list[threading.Thread] = []

    def slow_in_the_warming_thread():
        if threading.current_thread().name == "ecocluster-warm-languages":
            warmed.append(threading.current_thread())
            time.sleep(0.5)
        return real()

    monkeypatch.setattr(standards, "language_registry", slow_in_the_warming_thread)
    root = VALID if variant == "valid" else build(tmp_path, CASES[variant][0])
    report = validate(root)
    assert report.ok is (variant == "valid")
    assert len(warmed) == 1 and not warmed[0].is_alive()
