"""The report in the formats CI systems read: SARIF 2.1.0 (GitHub code scanning and other SARIF
viewers), JUnit XML (Jenkins, GitLab, Azure and any CI's test view), GitLab Code Quality JSON and Azure
Pipelines logging commands. GitHub's annotations are in `.github`, the Markdown summary in `.summary`.

Every renderer takes the same finding model (`Report`) and the same `prefix`: the package folder as seen
from where the CI reads paths (the repository root), so `data/x.csv` of a package in `pkg/` becomes
`pkg/data/x.csv`. Text from the data goes through one escaping function per target (base.escape).
Lines are the CSV lines a person sees in an editor; character columns are not given, since the reader
does not keep them (SARIF and Code Quality take characters, not the field's position): the field is
named instead (SARIF: a logical location `table.field`).
"""

from __future__ import annotations

import hashlib
import posixpath
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..base.escape import azure_value, json_text, printable, xml_text
from ..base.version import VERSION as __version__
from ..rules import RULES
from .report import Report, ValidationError, file_of

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "ecoclusterFinding/v1"
TOOL = "ecocluster validate"


def path_of(report: Report, e: ValidationError, prefix: str = "") -> str:
    """The error's file as a path from the CI's root (`prefix` is the package folder from there)."""
    where = file_of(report, e)
    return posixpath.normpath(posixpath.join(prefix, where)) if prefix not in ("", ".") else where


def fingerprints(report: Report) -> Iterator[tuple[ValidationError, str]]:
    """Each error with a fingerprint that does not move when rows are added above it: its rule, table,
    field and value (not its line or message, which may name lines), and how many identical errors came
    before it, so every fingerprint of a run is distinct (GitLab keeps one finding per fingerprint)."""
    seen: Counter[tuple[str, ...]] = Counter()
    for e in report.errors:
        key = (e.code, e.resource or "", e.field or "", e.value or "")
        seen[key] += 1
        text = "\x1f".join([*key, str(seen[key])])
        yield e, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _message(e: ValidationError) -> str:
    where = f"line {e.row}" if e.row is not None else "file" if e.resource else "package"
    field = f", field `{e.field}`" if e.field else ""
    hint = f" (hint: {e.hint})" if e.hint else ""
    return printable(f"{where}{field}: {e.message}{hint}")


def _shown_note(report: Report) -> str:
    total = report.stats.get("errors", len(report.errors))
    return "" if total == len(report.errors) else f" ({len(report.errors)} of {total} errors shown)"


# --- SARIF 2.1.0 -----------------------------------------------------------------------------------

def _sarif_rule(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.code.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.doc},
        "help": {"text": rule.hint},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": [rule.level]},
    }


def render_sarif(report: Report, prefix: str = "") -> str:
    """A SARIF 2.1.0 log: one run, every rule of the rule table, one result per error."""
    index = {code: i for i, code in enumerate(RULES)}
    results = []
    for e, fingerprint in fingerprints(report):
        physical: dict[str, Any] = {"artifactLocation": {"uri": path_of(report, e, prefix)}}
        if e.row is not None:
            physical["region"] = {"startLine": e.row}
        location: dict[str, Any] = {"physicalLocation": physical}
        if e.resource:
            name = f"{e.resource}.{e.field}" if e.field else e.resource
            location["logicalLocations"] = [{"name": e.field or e.resource, "fullyQualifiedName": name,
                                             "kind": "member" if e.field else "object"}]
        result: dict[str, Any] = {
            "ruleId": e.code,
            "ruleIndex": index[e.code],
            "level": "error",
            "message": {"text": _message(e)},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT: fingerprint},
        }
        if e.value is not None:
            result["properties"] = {"value": e.value}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ecocluster", "version": __version__, "semanticVersion": __version__,
                                "rules": [_sarif_rule(rule) for rule in RULES.values()]}},
            "invocations": [{"executionSuccessful": not report.unreadable,
                             "properties": {"errors": report.stats.get("errors", len(report.errors)),
                                            "shown": len(report.errors)}}],
            "results": results,
        }],
    }
    return json_text(log, indent=2) + "\n"


# --- JUnit XML -------------------------------------------------------------------------------------

PACKAGE_SUITE = "package"  # the package's own rules (descriptor, schemas), found on no table


def _suites(report: Report) -> dict[str, list[str]]:
    """Test cases: each table's file, cell and cross-table rules, and every rule that found something in
    it; the package's own rules (levels package and descriptor) in one more suite."""
    tables = list(dict.fromkeys([*report.paths, *(e.resource for e in report.errors if e.resource)]))
    table_rules = [r.code for r in RULES.values() if r.level in ("file", "cell", "cross")]
    suites = {PACKAGE_SUITE: [r.code for r in RULES.values() if r.level in ("package", "descriptor")]}
    suites.update({t: list(table_rules) for t in tables})
    for e in report.errors:
        codes = suites[e.resource or PACKAGE_SUITE]
        if e.code not in codes:
            codes.append(e.code)
    return suites


def render_junit(report: Report, prefix: str = "") -> str:
    """JUnit XML: a test suite per table (and one for the package), a test case per table and rule, a
    `<failure>` per error. Counts follow junitparser's: `failures` counts failures, not test cases."""
    suites = _suites(report)
    found: dict[tuple[str, str], list[ValidationError]] = {}
    for e in report.errors:
        found.setdefault((e.resource or PACKAGE_SUITE, e.code), []).append(e)
    root = ET.Element("testsuites", name=TOOL + _shown_note(report))
    total_tests = total_failures = 0
    for suite_name, codes in suites.items():
        suite = ET.SubElement(root, "testsuite", name=xml_text(suite_name))
        failures = 0
        for code in codes:
            errors = found.get((suite_name, code), [])
            case = ET.SubElement(suite, "testcase", classname=xml_text(suite_name), name=xml_text(code))
            if errors:
                case.set("file", xml_text(path_of(report, errors[0], prefix)))
            for e in errors:
                failure = ET.SubElement(case, "failure", type=xml_text(code),
                                        message=xml_text(f"{path_of(report, e, prefix)}: {_message(e)}"))
                failure.text = xml_text(f"{path_of(report, e, prefix)} {_message(e)}\nrule: {RULES[code].title}")
            failures += len(errors)
        suite.set("tests", str(len(codes)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += len(codes)
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- GitLab Code Quality ---------------------------------------------------------------------------

def render_gitlab(report: Report, prefix: str = "") -> str:
    """GitLab's Code Quality report: a JSON array of issues (a subset of the Code Climate spec). Every
    error is `major`; one that left the package unreadable is `blocker`. A file-level error is put on
    line 1, since GitLab needs a line."""
    issues = []
    for e, fingerprint in fingerprints(report):
        issues.append({
            "type": "issue",
            "check_name": e.code,
            "description": _message(e),
            "categories": ["Bug Risk"],
            "severity": "blocker" if RULES[e.code].level == "package" else "major",
            "fingerprint": fingerprint,
            "location": {"path": path_of(report, e, prefix), "lines": {"begin": e.row or 1}},
        })
    return json_text(issues, indent=2) + "\n"


# --- Azure Pipelines -------------------------------------------------------------------------------

def render_azure(report: Report, prefix: str = "") -> str:
    """One `##vso[task.logissue type=error;…]message` logging command per error, every property and the
    message escaped by `azure_value`; a last warning when `--max-errors` left some out."""
    out = []
    for e in report.errors:
        props = [("type", "error"), ("sourcepath", path_of(report, e, prefix))]
        if e.row is not None:
            props.append(("linenumber", str(e.row)))
        props.append(("code", e.code))
        head = "".join(f"{k}={azure_value(v)};" for k, v in props)
        out.append(f"##vso[task.logissue {head}]{azure_value(_message(e))}")
    total = report.stats.get("errors", len(report.errors))
    if total > len(report.errors):
        out.append(f"##vso[task.logissue type=warning;code=ecocluster-more;]{total - len(report.errors)} more "
                   "errors not shown (--max-errors)")
    return "".join(line + "\n" for line in out)
