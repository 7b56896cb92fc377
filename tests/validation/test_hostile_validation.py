"""Hostile input to `ecocluster validate` (issue 15): every case gets a coded error, never a traceback.

Each case is the valid fixture with one edit made in tmp_path; it asserts the exact
(code, resource, row, field) errors of the library and the CLI's exit code with no traceback.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import golden
import polars as pl
import pytest
from click.testing import CliRunner
from pkgedits import VALID, Edit, append, descriptor, found, package, schema, sub, write

from ecocluster.cli import main
from ecocluster.validation import validate
from ecocluster.validation.github import render_github
from ecocluster.validation.report import printable, render_text
from ecocluster.validation.standards import ISO_3166_ALPHA2, language_problem

CITE = "{},*,src-herald-2023,Busan and Renault Korea signed the MOU,dossier-summary,,"


def resource(name: str, key: str, value: object) -> Edit:
    def change(dp: dict) -> None:
        next(r for r in dp["resources"] if r["name"] == name)[key] = value

    return descriptor(change)


def field_(table: str, name: str, key: str, value: object) -> Edit:
    return schema(table, lambda s: next(f for f in s["fields"] if f["name"] == name).__setitem__(key, value))


def rename_field(table: str, old: str, new: str) -> list[Edit]:
    """The field renamed in the schema and the header, so only the name is wrong."""
    return [field_(table, old, "name", new), sub(table, f",{old},", f",{new},")]


def deep(n: int) -> str:
    return "[" * n + "]" * n


PKG = ("descriptor-invalid", None, None, None)
CASES: dict[str, tuple[list[Edit], list[tuple], int]] = {
    # exceptions that used to escape
    "descriptor-deeply-nested": (
        [write("datapackage.json", ('{"x": ' + deep(100_000) + ', "resources": []}').encode())], [PKG], 2
    ),
    "schema-deeply-nested": (
        [write("schemas/people.schema.json", ('{"fields": ' + deep(100_000) + "}").encode())],
        [("schema-invalid", "people", None, None)],
        2,
    ),
    "schema-not-an-object": (
        [write("schemas/people.schema.json", b'"fields"')], [("schema-invalid", "people", None, None)], 2
    ),
    "schema-a-folder": (
        [lambda r: (r / "schemas" / "people.schema.json").unlink(),
         lambda r: (r / "schemas" / "people.schema.json").mkdir()],
        [("schema-invalid", "people", None, None)],
        2,
    ),
    "path-nul-byte": ([resource("people", "path", "data/peo\x00ple.csv")],
                      [("resource-path-invalid", "people", None, None)], 2),
    "path-name-too-long": ([resource("people", "path", "data/" + "p" * 300 + ".csv")],
                           [("resource-path-invalid", "people", None, None)], 2),
    "schema-path-nul-byte": ([resource("people", "schema", "schemas/\x00.json")],
                             [("resource-path-invalid", "people", None, None)], 2),
    "enum-descriptions-a-list": ([field_("organisations", "kind", "enumDescriptions", ["a", "b"])],
                                 [("schema-invalid", "organisations", None, None)], 2),
    "enum-descriptions-not-strings": ([field_("organisations", "kind", "enumDescriptions", {"company": 1})],
                                      [("schema-invalid", "organisations", None, None)], 2),
    "categories-not-a-list": ([field_("organisations", "kind", "categories", {"company": "A company."})],
                              [("schema-invalid", "organisations", None, None)], 2),
    "categories-label-twice": ([field_("organisations", "kind", "categories",
                                       [{"value": "company", "label": "Same."}, {"value": "other", "label": "Same."}])],
                               [("schema-invalid", "organisations", None, None)], 2),
    "categories-lack-an-enum-code": ([field_("organisations", "kind", "categories", [{"value": "company"}])],
                                     [("schema-invalid", "organisations", None, None)], 2),
    "enum-code-twice": ([schema("organisations", lambda s: s["fields"][2]["constraints"]["enum"].append("other"))],
                        [("schema-invalid", "organisations", None, None)], 2),
    "field-declared-twice": ([schema("people", lambda s: s["fields"].append(dict(s["fields"][1])))],
                             [("schema-invalid", "people", None, None)], 2),
    "type-a-list": ([field_("people", "name", "type", ["string"])],
                    [("schema-invalid", "people", None, None)], 2),
    "required-a-string": ([field_("people", "name", "constraints", {"required": "yes"})],
                          [("schema-invalid", "people", None, None)], 2),
    "primary-key-a-list-of-lists": ([schema("people", lambda s: s.__setitem__("primaryKey", [["id"]]))],
                                    [("schema-invalid", "people", None, None)], 2),
    "foreign-key-reference-a-list": (
        [schema("roles", lambda s: s["foreignKeys"][0]["reference"].__setitem__("resource", ["people"]))],
        [("schema-invalid", "roles", None, None)],
        2,
    ),
    "resource-title-an-object": ([resource("people", "title", {"en": "People"})],
                                 [("descriptor-invalid", "people", None, None)], 2),
    # valid to validate, fatal to build
    "resource-name-traversal": ([resource("people", "name", "../../../x")],
                                [("resource-name-invalid", None, None, None)], 2),
    "resource-name-nul": ([resource("people", "name", "peo\x00ple")],
                          [("resource-name-invalid", None, None, None)], 2),
    "resource-name-duplicate": (
        [descriptor(lambda dp: dp["resources"].append(dict(dp["resources"][0])))],
        [("resource-name-duplicate", "sources", None, None)],
        2,
    ),
    "created-before-1980": ([descriptor(lambda dp: dp.__setitem__("created", "1979-12-31T23:59:59Z"))],
                            [("descriptor-field-invalid", None, None, "created")], 1),
    "created-not-a-date": ([descriptor(lambda dp: dp.__setitem__("created", "last tuesday"))],
                           [("descriptor-field-invalid", None, None, "created")], 1),
    "created-a-number": ([descriptor(lambda dp: dp.__setitem__("created", 2026))],
                         [("descriptor-field-invalid", None, None, "created")], 1),
    "created-not-a-day": ([descriptor(lambda dp: dp.__setitem__("created", "2026-02-30T00:00:00Z"))],
                          [("descriptor-field-invalid", None, None, "created")], 1),
    "licenses-a-string": ([descriptor(lambda dp: dp.__setitem__("licenses", "CC-BY-4.0"))],
                          [("descriptor-field-invalid", None, None, "licenses")], 1),
    "licenses-without-name": ([descriptor(lambda dp: dp.__setitem__("licenses", [{"title": "CC"}]))],
                              [("descriptor-field-invalid", None, None, "licenses")], 1),
    "name-a-path": ([descriptor(lambda dp: dp.__setitem__("name", "../evil"))],
                    [("descriptor-field-invalid", None, None, "name")], 1),
    "version-a-path": ([descriptor(lambda dp: dp.__setitem__("version", "1/../../2"))],
                       [("descriptor-field-invalid", None, None, "version")], 1),
    "version-missing": ([descriptor(lambda dp: dp.pop("version"))],
                        [("descriptor-field-invalid", None, None, "version")], 1),
    "year-0000": ([sub("organisations", ",1899,", ",0000,")],
                  [("date-out-of-range", "organisations", 3, "founded")], 1),
    "year-0999": ([sub("organisations", ",1899,", ",0999-01-01,")],
                  [("date-out-of-range", "organisations", 3, "founded")], 1),
    "year-9999": ([sub("organisations", "1899,,", "1899,9999,")],
                  [("date-out-of-range", "organisations", 3, "dissolved")], 1),
    "day-9999-12-31": ([sub("organisations", "1899,,", "1899,9999-12-31,")],
                       [("date-out-of-range", "organisations", 3, "dissolved")], 1),
    "javascript-url": ([sub("organisations", "https://www.renaultgroup.com", "javascript:alert(1)")],
                       [("uri-scheme-invalid", "organisations", 3, "website")], 1),
    "data-url": ([sub("organisations", "https://www.renaultgroup.com", "data:text/html;base64")],
                 [("uri-scheme-invalid", "organisations", 3, "website")], 1),
    "nul-in-text": ([sub("organisations", "Renault Group,", "Renault\x00Group,")],
                    [("text-control-character", "organisations", 3, "name")], 1),
    "ansi-escape-in-text": ([sub("organisations", "Renault Group,", "Renault \x1b[2J\x1b[31mGroup,")],
                            [("text-control-character", "organisations", 3, "name")], 1),
    "c1-control-in-text": ([sub("organisations", "Renault Group,", "Renault\x85Group,")],
                           [("text-control-character", "organisations", 3, "name")], 1),
    # wrong verdicts
    "shares-over-100": (
        [sub("org_relations", "52.82", "82.79"),
         append("org_relations", "rel-a,org-busan-city,org-renault-korea,shareholder-of,8.06,,,,",
                "rel-b,org-busan-city,org-renault-korea,shareholder-of,9.16,,,,"),
         append("citations", CITE.format("rel-a"), CITE.format("rel-b"))],
        [("share-total-exceeded", "org_relations", 5, "share_percent")],
        1,
    ),
    # text that hides
    "zero-width-in-patterned-id": (
        [sub("organisations", ",Q6686", ",Q66\u200b86")],
        [("pattern-mismatch", "organisations", 3, "wikidata_id"),
         ("text-invisible", "organisations", 3, "wikidata_id")],
        1,
    ),
    "bidi-override-in-name": ([sub("organisations", "Renault Group,", "Renault \u202eGroup,")],
                              [("text-invisible", "organisations", 3, "name")], 1),
    "bom-in-enum": ([sub("organisations", "Renault Group,company", "Renault Group,company\ufeff")],
                    [("enum-invalid", "organisations", 3, "kind"), ("text-invisible", "organisations", 3, "kind")],
                    1),
    # language tags (issue 14, item 6)
    "language-zz": ([sub("sources", ",2023-05,ko,", ",2023-05,zz,")],
                    [("language-invalid", "sources", 3, "language")], 1),
    "language-qq-Zzzz": ([sub("sources", ",2023-05,ko,", ",2023-05,qq-Zzzz,")],
                         [("language-invalid", "sources", 3, "language")], 1),
    "language-en-Kore": ([sub("sources", ",2023-05,ko,", ",2023-05,en-Kore,")],
                         [("language-invalid", "sources", 3, "language")], 1),
    # the descriptor's and the schemas' own texts: what no export can carry (descriptor-text-invalid)
    "descriptor-title-with-an-escape": ([descriptor(lambda dp: dp.__setitem__("title", "Data\x1b]0;pwned\x07"))],
                                        [("descriptor-text-invalid", None, None, "title")], 1),
    "resource-description-with-a-lone-surrogate": (
        [resource("people", "description", "x\ud800y")],
        [("descriptor-text-invalid", None, None, "resources[2].description")], 1),
    "schema-field-title-with-a-nul": (
        [field_("people", "family_name", "title", "Family\x00name")],
        [("descriptor-text-invalid", "people", None, "schemas/people.schema.json: fields[2].title")], 1),
    "schema-key-with-a-c1-control": (
        [schema("people", lambda s: s.__setitem__("x\x9b", "y"))],
        [("descriptor-text-invalid", "people", None, "schemas/people.schema.json: x\\x9b")], 1),
}
for _name in ("__line", "__c0", "__truncated", "__h"):
    CASES[f"field-named-{_name}"] = (rename_field("people", "family_name", _name),
                                     [("schema-invalid", "people", None, None)], 2)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case_gets_its_code_and_exit_status(tmp_path: Path, name: str) -> None:
    edits, expected, status = CASES[name]
    root = package(tmp_path, edits)
    report = validate(root)
    assert sorted(found(report), key=str) == sorted(expected, key=str)
    assert golden.messages(report, root) == golden.expected("test_hostile_validation", name)  # every word shown
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert "\x1b" not in result.output and "\u202e" not in result.output and "\x00" not in result.output


VALID_VARIANTS: dict[str, list[Edit]] = {
    # 82.79 + 8.06 + 9.15 is exactly 100 (as floats it is 100.00000000000001)
    "shares-exactly-100": [
        sub("org_relations", "52.82", "82.79"),
        append("org_relations", "rel-a,org-busan-city,org-renault-korea,shareholder-of,8.06,,,,",
               "rel-b,org-busan-city,org-renault-korea,shareholder-of,9.15,,,,"),
        append("citations", CITE.format("rel-a"), CITE.format("rel-b")),
    ],
    "year-1000-and-9999-12-30": [sub("organisations", "1899,,", "1000,9999-12-30,")],
    "languages-ko-Latn-zh-Hans-fr": [sub("sources", ",2023-05,ko,", ",2023-05,ko-Latn,"),
                                     sub("names", ",ko,official", ",zh-Hans,official")],
    "tab-and-newline-in-free-text": [sub("organisations", "Renault Group,", '"Renault\tGroup\nSAS",')],
    "http-url": [sub("organisations", "https://www.renaultgroup.com", "http://www.renaultgroup.com/a?b#c")],
    "no-created-no-licenses": [descriptor(lambda dp: (dp.pop("created"), dp.pop("licenses")))],
    "tab-and-newline-in-a-description": [descriptor(lambda dp: dp.__setitem__("description", "a\tb\nc"))],
}


@pytest.mark.parametrize("name", sorted(VALID_VARIANTS))
def test_valid_variants_stay_valid(tmp_path: Path, name: str) -> None:
    report = validate(package(tmp_path, VALID_VARIANTS[name]))
    assert found(report) == []


def test_an_unexpected_failure_is_a_report_entry_not_a_raise(tmp_path: Path, monkeypatch) -> None:
    import ecocluster.validation.engine as engine

    def boom(*args, **kwargs):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(engine, "check_table", boom)
    report = validate(package(tmp_path, []))
    assert found(report) == [("internal-error", None, None, None)]
    assert "ZeroDivisionError: planted" in report.errors[0].message
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "pkg")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_file_the_os_refuses_is_file_unreadable(tmp_path: Path, monkeypatch) -> None:
    # as root, chmod 000 does not stop a read, so the refusal is planted where the file is opened
    import ecocluster.validation.engine as engine

    real = engine.read_table

    def refuse(pkg, res, out):
        if res.name == "people":
            raise PermissionError(13, "Permission denied")
        return real(pkg, res, out)

    monkeypatch.setattr(engine, "read_table", refuse)
    report = validate(package(tmp_path, []))
    assert ("file-unreadable", "people", None, None) in found(report)
    assert "Permission denied" in next(e.message for e in report.errors if e.code == "file-unreadable")


def test_paths_the_os_refuses_are_package_not_found(tmp_path: Path) -> None:
    for bad in ("pkg\x00x", "x" * 5000, str(tmp_path / ("y" * 300))):
        assert [e.code for e in validate(bad).errors] == ["package-not-found"]


def _zip(src: Path, target: Path, **kw) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(src.rglob("*")):
            if p.is_file():
                zf.write(p, f"ecocluster-0.1.0/{p.relative_to(src).as_posix()}")
    return target


def test_a_release_zip_validates_and_a_broken_one_is_archive_invalid(tmp_path: Path) -> None:
    good = _zip(VALID, tmp_path / "good.zip")
    assert validate(good).ok
    data = bytearray(good.read_bytes())
    central = data.index(b"PK\x01\x02")  # the first member's entry in the central directory
    data[central + 8] |= 1  # its "encrypted" flag
    (tmp_path / "enc.zip").write_bytes(bytes(data))
    assert [e.code for e in validate(tmp_path / "enc.zip").errors] == ["archive-invalid"]
    data = bytearray(good.read_bytes())
    data[central + 10] = 9  # its method: Deflate64, which zipfile cannot read
    (tmp_path / "d64.zip").write_bytes(bytes(data))
    assert [e.code for e in validate(tmp_path / "d64.zip").errors] == ["archive-invalid"]
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as zf:
        zf.writestr("../datapackage.json", "{}")
    assert [e.code for e in validate(tmp_path / "evil.zip").errors] == ["archive-invalid"]
    assert not (tmp_path / "datapackage.json").exists()


def test_a_release_zip_honours_max_errors_like_a_folder(tmp_path: Path) -> None:
    root = package(tmp_path / "pkg", [sub("organisations", "Renault Group,", " Renault Group,"),
                                      sub("projects", "project-eco-cluster-lab,", "project-Eco-lab,")])
    archive = _zip(root, tmp_path / "two.zip")
    whole, trimmed = validate(archive), validate(archive, max_errors=1)
    assert whole.stats["errors"] == trimmed.stats["errors"] >= 2
    assert len(whole.errors) == whole.stats["errors"] and len(trimmed.errors) == 1
    assert trimmed.errors[0] == whole.errors[0]


def test_reports_escape_control_and_invisible_characters(tmp_path: Path) -> None:
    root = package(tmp_path, [sub("organisations", "Renault Group,", "Renault \x1b[2J\u202eGroup,")])
    report = validate(root)
    for text in (render_text(report, colour=True), render_github(report)):
        assert "\x1b[2J" not in text and "\u202e" not in text
        assert "\\x1b[2J" in text and "\\u202e" in text
    assert printable("부산 Stéphane") == "부산 Stéphane"  # ordinary text in any script is untouched


def test_language_rule_by_rule() -> None:
    for ok in ("en", "fr", "ko", "ko-Latn", "zh-Hans", "zh-Hant-TW", "ko-Hang", "en-GB", "es-419", "sr-Cyrl"):
        assert language_problem(ok) is None, ok
    for bad, why in [("zz", "registry"), ("qq-Zzzz", "registry"), ("en-Kore", "script"), ("en-Latn", "`en`"),
                     ("iw", "`he`"), ("und", "private"), ("qaa", "private"), ("en-ZZ", "private"),
                     ("EN", "form")]:
        problem = language_problem(bad)
        assert problem is not None and why in problem, (bad, problem)


def test_the_embedded_country_list_is_pycountrys() -> None:
    pycountry = pytest.importorskip("pycountry", reason="pycountry is in the [test] extra")
    assert {c.alpha_2 for c in pycountry.countries} == ISO_3166_ALPHA2


def test_the_last_day_9999_12_31_breaks_next_day_arithmetic() -> None:
    """Why `date-out-of-range` stops at 9999-12-30: the day after (a range's exclusive end) overflows."""
    with pytest.raises(OverflowError):
        dt.date(9999, 12, 31) + dt.timedelta(days=1)
    assert dt.date(9999, 12, 30) + dt.timedelta(days=1) == dt.date(9999, 12, 31)
    with pytest.raises(Exception):  # noqa: B017 (polars raises ValueError or a PolarsError by version)
        pl.Series(["9999-12-31"]).str.to_date().dt.offset_by("1d").to_list()
    assert pl.Series(["9999-12-30"]).str.to_date().dt.offset_by("1d").to_list() == [dt.date(9999, 12, 31)]


def test_missing_value_na_does_not_hide_a_truncated_row(tmp_path: Path) -> None:
    root = package(tmp_path, [schema("people", lambda s: s.__setitem__("missingValues", ["", "NA"])),
                              sub("people", "person-park-heong-joon,Park Heong-joon,Park,Heong-joon,",
                                  "person-park-heong-joon,Park Heong-joon,NA")])
    # two cells missing (two commas fewer) and an `NA` (two bytes polars never counts, as it reads
    # a null): the file's size is exactly what full rows would take, so the exact reader never runs
    assert ("row-truncated", "people", 2, "given_name") in found(validate(root))
