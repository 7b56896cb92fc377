"""Markdown and HTML from the data are escaped by one function per target (issue 28, class 4): the data
dictionary, `diff --format markdown`, Datasette's metadata and the site never carry active content or
references to other hosts, however the descriptor, the schemas, the cells or docs/partnership.svg are
written. Each output is rendered or parsed as its reader would (CommonMark with tables, an XML parser)."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt
from pkgedits import shipped_copy

from ecocluster.curation.diff import diff_packages
from ecocluster.curation.diff_report import render_markdown
from ecocluster.curation.docgen.dictionary import data_dictionary
from ecocluster.exports.datasette import metadata
from ecocluster.exports.site import export as export_site
from ecocluster.exports.site.svg import clean_svg
from ecocluster.package import Package
from ecocluster.tables import read_tables

HTML = '<img src="https://evil.example/x.png" onerror="alert(1)"><script>alert(2)</script>'
LINK = "[click](javascript:alert(3)) ![pic](https://evil.example/y.png) <https://evil.example/z>"


class Tags(HTMLParser):
    """Every element and attribute of rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def rendered(markdown: str) -> list[tuple[str, dict[str, str | None]]]:
    page = Tags()
    page.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    return page.tags


def assert_inert(markdown: str) -> None:
    """No element that loads or runs anything, no event handler, no link but to a heading of the page."""
    tags = rendered(markdown)
    names = {t for t, _ in tags}
    assert not names & {"img", "script", "iframe", "style"}, sorted(names)
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on")]
    assert not [attrs for t, attrs in tags if t == "a" and not (attrs.get("href") or "").startswith("#")]


def _edit_schema(root: Path, table: str, change) -> None:
    path = root / "schemas" / f"{table}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


def test_the_data_dictionary_shows_raw_html_and_links_as_text(tmp_path):
    root = shipped_copy(tmp_path / "pkg")

    def change(schema):
        f = schema["fields"][1]
        f["description"] = f"{HTML} {LINK} **bold** | a pipe\n# not a heading"
        f["title"] = "<b>title</b>"

    _edit_schema(root, "organisations", change)
    dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    dp["title"] = f"Title {HTML}"
    dp["description"] = f"# Heading?\n{LINK}"
    dp["resources"][0]["description"] = HTML
    (root / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")
    text = data_dictionary(Package.open(root))
    assert_inert(text)  # the dictionary's own links to its tables are the only links
    assert "\\<script\\>alert(2)\\</script\\>" in text
    table = next(line for line in text.splitlines() if "a pipe" in line)
    assert len(MarkdownIt("commonmark").enable("table").parse(text)) > 0
    assert table.count(" | ") == 6  # seven cells: the description's pipe does not split the row


def test_names_and_codes_with_backticks_stay_code_in_the_dictionary(tmp_path):
    root = shipped_copy(tmp_path / "pkg")

    def change(schema):
        kind = next(f for f in schema["fields"] if f.get("categories") or f.get("constraints", {}).get("enum"))
        kind.pop("categories", None)
        kind.setdefault("constraints", {})["enum"] = ["a``b", "c|<b>d</b>"]

    _edit_schema(root, "organisations", change)
    text = data_dictionary(Package.open(root))
    assert "| ```a``b``` |" in text and "| `c\\|<b>d</b>` |" in text
    assert_inert(text)


def test_diff_markdown_keeps_backticks_and_carriage_returns_in_their_code_span(tmp_path):
    old = shipped_copy(tmp_path / "old")
    new = shipped_copy(tmp_path / "new")
    orgs = new / "data" / "organisations.csv"
    text = orgs.read_text(encoding="utf-8")
    line = text.splitlines()[1]
    name = line.split(",")[1]
    hostile = f'"``{HTML}`` \r{LINK}\r\n@someone #1"'
    orgs.write_text(text.replace(line, line.replace(name, hostile, 1), 1), encoding="utf-8")
    markdown = render_markdown(diff_packages(old, new))
    assert_inert(markdown)
    assert "\r" not in markdown and "\\x0d" in markdown


def test_datasette_metadata_links_only_http_addresses(tmp_path):
    root = shipped_copy(tmp_path / "pkg")
    dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    dp["licenses"] = [{"name": "CC-BY-4.0", "path": "javascript:alert(1)"}]
    dp["sources"] = [{"title": "x", "path": "javascript:alert(2)"}]
    (root / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")
    meta = metadata(Package.open(root))
    assert "license_url" not in meta and "source_url" not in meta and meta["license"] == "CC-BY-4.0"
    dp["licenses"], dp["sources"] = "CC-BY-4.0", "a string"  # validate refuses these; export still works
    dp["licenses"] = [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}]
    (root / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")
    assert metadata(Package.open(root))["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    dp["licenses"], dp["sources"] = "CC-BY-4.0", "a string"
    (root / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")
    meta = metadata(Package.open(root))
    assert "license" not in meta and "source_url" not in meta


EVIL_SVG = """<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" height="10pt"
 onload="alert(1)" style="background:url(https://evil.example/bg.png)">
<script>alert(2)</script>
<g id="graph0" class="graph" onclick="alert(3)">
<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example/"/></div></foreignObject>
<image xlink:href="https://evil.example/track.png" width="1" height="1"/>
<use xlink:href="https://evil.example/sprite.svg#x"/>
<a xlink:href="javascript:alert(4)"><text>click</text></a>
<g id="node1" class="node"><title>org&#45;renault&#45;korea</title>
<polygon fill="url(https://evil.example/p.svg#g)" stroke="#6c8ebf" points="0,0 1,1"/>
<text x="1" y="2" font-family="Noto Sans">Renault Korea &amp; &lt;co&gt;</text></g>
<g id="node2" class="node"><title>unknown&#45;node</title><ellipse fill="url(#local)" rx="1" ry="1"/></g>
<style>@import url(https://evil.example/s.css);</style>
</g>
</svg>
"""


def test_the_site_copies_the_picture_rebuilt_from_an_allow_list(tmp_path):
    root = shipped_copy(tmp_path / "pkg")
    (root / "docs").mkdir()
    (root / "docs" / "partnership.svg").write_text(EVIL_SVG, encoding="utf-8")
    export_site(read_tables(Package.open(root)), tmp_path / "out")
    svg = (tmp_path / "out" / "site" / "partnership.svg").read_text(encoding="utf-8")
    doc = ET.fromstring(svg)  # well-formed
    names = {el.tag.split("}")[-1] for el in doc.iter()}
    assert names <= {"svg", "g", "title", "polygon", "text", "ellipse", "a"}, names
    attrs = [(k, v) for el in doc.iter() for k, v in el.attrib.items()]
    assert not [k for k, _ in attrs if k.lower().startswith("on") or k == "style"]
    assert not [v for _, v in attrs if "evil.example" in v or "javascript:" in v]
    links = [v for el in doc.iter() for k, v in el.attrib.items() if k.endswith("href")]
    assert links == ["organisations/org-renault-korea.html"]  # the one box of an entity, linked to its page
    assert "Renault Korea &amp; &lt;co&gt;" in svg and 'fill="url(#local)"' in svg
    assert (tmp_path / "out" / "site" / links[0]).is_file()


def test_a_picture_that_is_not_svg_or_declares_entities_gives_no_picture():
    assert clean_svg(b"<html><script>x</script></html>", lambda n: None) is None
    assert clean_svg(b"not xml at all", lambda n: None) is None
    bomb = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>')
    assert clean_svg(bomb, lambda n: None) is None


def test_the_shipped_picture_keeps_its_drawing(tmp_path):
    drawn = (Path(__file__).resolve().parents[2] / "docs" / "partnership.svg").read_bytes()
    cleaned = clean_svg(drawn, lambda node: f"{node}.html")
    original, rebuilt = ET.fromstring(drawn), ET.fromstring(cleaned)
    assert len(list(rebuilt.iter())) == len(list(original.iter())) + len(re.findall(rb'class="node"', drawn))
    assert [el.text for el in rebuilt.iter() if el.tag.endswith("text")] == \
        [el.text for el in original.iter() if el.tag.endswith("text")]
    shutil.rmtree(tmp_path, ignore_errors=True)
