"""A static website of the dataset, for people who never open a terminal (docs/site.md).

    export(tables, out_dir)                 `ecocluster export --to site`: writes out_dir/site/
    build_site(tables, out_dir, manifest)   `ecocluster build` calls it last, with the build manifest,
                                            so the front page lists each download with size and SHA-256

A page per organisation, person, agreement, project and source that opens with its answer (a summary
box, one table per kind of relationship, footnote marks, a numbered Sources list with each quote
once) and has a JSON download beside it; a page per kind and per table; a search page; a page on how
to read the data. Plain files that work from file:// and any static host: no server code, no request
to another host (the search index is a script file, not fetched). All HTML comes from Jinja2
templates with autoescaping on; data (names, quotes) is never pasted into markup by hand.

Limit: entity pages are written for up to MAX_ENTITIES entities; above that `build_site` raises
SiteSkipped with the reason (the build records it). Table pages hold the data dictionary, not the
rows, so they do not grow with the data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...base.files import sweep_folder, write_text
from ...errors import ExportError, SiteSkipped

if TYPE_CHECKING:
    from ...tables import Tables

NAME = "site"
FOLDER = "site"
MAX_ENTITIES = 20_000  # 20k entities: ~40k files (pages and JSON), ~70 s of CPU (docs/site.md); 1M rows is over it
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
    from .labels import hangul_lang, language_name, md_parts
    from .model import lang_attr

    env.filters["size"] = _size
    env.filters["langattr"] = lang_attr
    env.filters["language"] = language_name
    env.filters["md"] = md_parts
    env.filters["hangul"] = hangul_lang
    return env


def _size(n: Any) -> str:
    if not isinstance(n, int):
        return ""
    for unit, scale in (("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def _page_of(site: Any, node: str) -> str | None:
    ent = site.entities.get(node)
    return None if ent is None else str(ent.url)


class _Writer:
    """Writes the site's files into `root`: `put` a file, `page` a rendered template with the
    context every page shares (the dataset's name, the page's address, the report link)."""

    def __init__(self, root: Path, tables: Tables, base_url: str | None, repo: Any, sections: list[dict[str, str]]):
        from . import share

        self.root, self.pkg, self.base_url, self.repo, self.sections = root, tables.package, base_url, repo, sections
        self.dataset = str(self.pkg.descriptor.get("title") or self.pkg.name)
        self.env, self.share = _environment(), share
        self.written: list[Path] = []
        self._swept: set[Path] = set()

    def put(self, rel: str, text: str) -> None:
        """Write one file; dead runs' temp files are looked for once per folder, not once per file (a
        folder holds thousands of pages, and looking each time made writing them quadratic)."""
        path = self.root / rel
        if path.parent not in self._swept:
            path.parent.mkdir(parents=True, exist_ok=True)
            sweep_folder(path.parent)
            self._swept.add(path.parent)
        self.written.append(write_text(path, text, sweep=False))

    def page(self, rel: str, template: str, title: str, description: str, /, **context: Any) -> None:
        share, pkg, depth = self.share, self.pkg, rel.count("/")
        url = share.page_url(self.base_url, rel)
        meta = {"title": title, "description": share.describe(description) or self.dataset, "url": url,
                "canonical": url or rel.rsplit("/", 1)[-1], "rel": rel}
        where = url or f"{rel} (in the site of {pkg.name} {pkg.version})"
        # `downloads`: where the build's files are, seen from this page (absolute with a base URL)
        html = self.env.get_template(template).render(
            root="../" * depth, package=pkg, dataset=self.dataset, meta=meta, repository=self.repo,
            sections=self.sections, report=share.report_link(self.repo, title, where),
            maintainers=share.maintainers(pkg),
            downloads=self.base_url.rstrip("/") + "/" if self.base_url else "../" * depth + "../", **context)
        self.put(rel, html)


def build_site(tables: Tables, out_dir: Path, manifest: dict[str, Any] | None,
               base_url: str | None = None, max_entities: int | None = None,
               history: dict[str, Any] | None = None) -> list[Path]:
    """Write the site into `out_dir/site/` and return the paths written.

    `manifest` is the build's (its `resources` give the downloads); None writes the site without them
    and says that `ecocluster build` lists them. `base_url` is the public address of the build folder
    (the site is its `site/` folder), when known: download URLs, canonical links and `og:url` are then
    absolute. `history` (ecocluster.exports.site.history) lets each entity page say when it first
    appeared and last changed.
    """
    from . import metadata, pages, share
    from .model import build_model

    if reason := skip_reason(tables, max_entities):
        raise SiteSkipped(reason)
    if base_url is not None and not re.fullmatch(r"https?://[^\s\"'<>]+", base_url):
        raise ExportError(f"the site's base URL must be an http(s) address, not {base_url!r}")
    pkg = tables.package
    site = build_model(tables)
    cff = metadata.read_citation(pkg)
    sections = [{"table": t, "title": pkg.resource(t).title or t} for t in site.by_table]
    out = _Writer(Path(out_dir) / FOLDER, tables, base_url, share.repository(pkg, cff), sections)
    files = metadata.downloads(manifest, base_url)
    _front_pages(out, site, tables, manifest, files, metadata.citation(pkg, cff))
    _entity_pages(out, site, history)
    stem = f"{pkg.name}-{pkg.version}"
    in_build = {f["path"] for f in files}
    for res in pkg.resources:
        if res.name in tables:
            out.page(f"tables/{pages.table_stem(res.name)}.html", "table.html", f"Table {res.name}",
                     f"The {res.name} table of {out.dataset}: {res.description}",
                     **pages.table_context(pkg, res, tables[res.name].height, stem, in_build, manifest is not None))
    return out.written


def _front_pages(out: _Writer, site: Any, tables: Tables, manifest: dict[str, Any] | None,
                 files: list[dict[str, Any]], cite: dict[str, Any]) -> None:
    """The front page (with the partnership picture and the timeline), search, about, the catalogue
    (DCAT), the search index and the static files."""
    from . import metadata, pages, svg
    from .model import counts
    from .search import index_script
    from .timeline import layout

    pkg, stats = out.pkg, counts(tables)
    picture = None
    # read through the package's one path check, and rebuilt from an allow-list (exports.site.svg)
    drawn = pkg.read("docs/partnership.svg", svg.MAX_BYTES)
    text = None if drawn is None else svg.clean_svg(drawn, lambda node: _page_of(site, node))
    if text is not None:
        out.put("partnership.svg", text)
        picture = "partnership.svg"
    schema = metadata.schema_org(pkg, cite, stats["date_range"], files)
    out.page("index.html", "index.html", out.dataset, str(pkg.descriptor.get("description") or ""), site=site,
             stats=stats, cite=cite, licences=metadata.licences(pkg), files=files, manifest=manifest is not None,
             main_files=[f for f in files if "/" not in f["path"]],
             picture=picture, timeline=layout(site), partnership=pages.partnership(site),
             jsonld=metadata.script_json(schema), tables=pages.table_links(pkg, tables))
    out.page("search.html", "search.html", "Search",
             f"Search every name in {out.dataset}, in any language or spelling.")
    out.page("about.html", "about.html", "About the data",
             "How to read this dataset: reduced-precision dates, quotes against research-file summaries, "
             "and how the data is curated.", stats=stats, **pages.about_context(site))
    dcat = metadata.dcat(pkg, cite, stats["date_range"], files)
    out.put("dcat.jsonld", json.dumps(dcat, ensure_ascii=False, indent=2) + "\n")
    out.put("search-index.js", index_script(site))
    for name in ("style.css", "search.js"):
        out.put(name, (HERE / "static" / name).read_text(encoding="utf-8"))


def _entity_pages(out: _Writer, site: Any, history: dict[str, Any] | None) -> None:
    """A list page per table, and per entity its page and its JSON (its rows and citations)."""
    from . import pages
    from .history import seen

    share = out.share
    for table, ents in site.by_table.items():
        ctx = pages.list_context(site, table, ents)
        res = ctx["res"]
        out.page(f"{table}/index.html", "list.html", res.title or table, res.description, **ctx)
        for ent in ents:
            ectx = pages.entity_context(site, ent)
            data = ent.url.removesuffix(".html") + ".json"
            out.put(data, share.entity_json(site, ent, share.page_url(out.base_url, ent.url) or ent.url))
            long = " ".join(str(x["cell"]["text"]) for x in ectx["summary"]["long"])
            tag = ectx["tagline"] and ectx["tagline"] + "."
            said = " ".join(x for x in (f"{ectx['kind_title']}: {ent.label}.", tag, long) if x)
            out.page(ent.url, "entity.html", ent.label, said,
                     data=data.rsplit("/", 1)[-1], seen=seen(history, table, ent.id), **ectx)
