"""A static website of the dataset: a page per entity and per table, offline search, JSON-LD metadata.

    export(tables, out_dir)                 `ecocluster export --to site`: writes out_dir/site/
    build_site(tables, out_dir, manifest)   `ecocluster build` calls it last, with the build manifest,
                                            so the front page lists each download with size and SHA-256

Plain files that work from file:// and any static host: no server code, no request to another host
(the search index is a script file, not fetched). All HTML comes from Jinja2 templates with
autoescaping on; data (names, quotes) is never pasted into markup by hand.

Limit: entity pages are written for up to MAX_ENTITIES entities; above that `build_site` raises
SiteSkipped with the reason (the build records it). Table pages hold the data dictionary, not the
rows, so they do not grow with the data.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...base.files import atomic_path, write_text
from ...errors import ExportError, SiteSkipped

if TYPE_CHECKING:
    from ...tables import Tables

NAME = "site"
DESCRIPTION = "a static website: a page per entity and table, offline search, JSON-LD (folder site/)"
FOLDER = "site"
MAX_ENTITIES = 20_000  # ~13k pages take 30-70 s at 100k rows (README, "The website"); 1M rows is over it
HERE = Path(__file__).parent


def export(tables: Tables, out_dir: Path) -> list[Path]:
    return build_site(tables, out_dir, None)


def skip_reason(tables: Tables, max_entities: int | None = None) -> str | None:
    from ...datamodel import ENTITY_TABLES

    max_entities = MAX_ENTITIES if max_entities is None else max_entities
    n = sum(tables[t].height for t in ENTITY_TABLES if t in tables)
    if n > max_entities:
        return (f"the site is skipped: {n} entities is over the limit of {max_entities} entity pages "
                "(ecocluster.exports.site.MAX_ENTITIES)")
    return None


def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    from .model import lang_attr

    env.filters["size"] = _size
    env.filters["langattr"] = lang_attr
    return env


def _size(n: Any) -> str:
    if not isinstance(n, int):
        return ""
    for unit, scale in (("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def build_site(tables: Tables, out_dir: Path, manifest: dict[str, Any] | None,
               base_url: str | None = None, max_entities: int | None = None,
               history: dict[str, Any] | None = None) -> list[Path]:
    """Write the site into `out_dir/site/` and return the paths written.

    `manifest` is the build's (its `resources` give the downloads); None writes the site without them
    and says that `ecocluster build` lists them. `base_url`, the address the build folder is published
    at, makes every download link absolute (the pages', the JSON-LD's and DCAT's). `history`
    (ecocluster.exports.site.history) lets each entity page say when it first appeared and last changed.
    """
    from . import metadata, pages
    from .history import seen
    from .model import build_model, counts

    if reason := skip_reason(tables, max_entities):
        raise SiteSkipped(reason)
    if base_url is not None and not re.fullmatch(r"https?://[^\s\"'<>]+", base_url):
        raise ExportError(f"the site's base URL must be an http(s) address, not {base_url!r}")
    root = Path(out_dir) / FOLDER
    env = _environment()
    pkg = tables.package
    site = build_model(tables)
    stats = counts(tables)
    cff = metadata.read_citation(pkg)
    cite = metadata.citation(pkg, cff)
    files = metadata.downloads(manifest, base_url)
    written: list[Path] = []

    def page(rel: str, template: str, **context: Any) -> None:
        depth = rel.count("/")
        # `downloads`: where the build's files are, seen from this page (absolute with a base URL)
        html = env.get_template(template).render(root="../" * depth, package=pkg, downloads=(
            base_url.rstrip("/") + "/" if base_url else "../" * depth + "../"), **context)
        written.append(write_text(root / rel, html))

    picture = None
    svg = pkg.root / "docs" / "partnership.svg"
    # only a picture that really lies in the package's folder (a symlink out of it is not followed)
    if svg.is_file() and pkg.root.resolve() in svg.resolve().parents:
        with atomic_path(root / "partnership.svg") as tmp:
            shutil.copyfile(svg, tmp)
        written.append(root / "partnership.svg")
        picture = "partnership.svg"
    written += pages.write_timeline(env, site, root)
    schema = metadata.schema_org(pkg, cite, stats["date_range"], files)
    page("index.html", "index.html", site=site, stats=stats, cite=cite, licences=metadata.licences(pkg),
         files=files, manifest=manifest is not None, picture=picture, timeline=pages.timeline_items(site),
         jsonld=metadata.script_json(schema), tables=pages.table_links(pkg, tables))
    dcat = metadata.dcat(pkg, cite, stats["date_range"], files)
    written.append(write_text(root / "dcat.jsonld", json.dumps(dcat, ensure_ascii=False, indent=2) + "\n"))
    written.append(write_text(root / "search-index.js", pages.search_index(site)))
    for name in ("style.css", "search.js"):
        written.append(write_text(root / name, (HERE / "static" / name).read_text(encoding="utf-8")))
    for table, ents in site.by_table.items():
        res = pkg.resource(table)
        page(f"{table}/index.html", "list.html", res=res, entities=ents)
        for ent in ents:
            page(ent.url, "entity.html", **pages.entity_context(site, ent), seen=seen(history, table, ent.id))
    stem = f"{pkg.name}-{pkg.version}"
    in_build = {f["path"] for f in files}
    for res in pkg.resources:
        if res.name in tables:
            page(f"tables/{pages.table_stem(res.name)}.html", "table.html", **pages.table_context(
                pkg, res, tables[res.name].height, stem, in_build, manifest is not None))
    return written
