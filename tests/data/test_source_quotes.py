"""Every quote in citations.csv stands in the evidence it claims to come from: the entry of the page it names.

The evidence is the research folder beside the repository, `../shared/sources/` (another folder with
`ECOCLUSTER_SOURCES=DIR`): the primary article `korea-herald-2023-05-22.txt` and the research file
`DOSSIER.md`. Neither is copied into the repository; without the folder these tests skip, and under
`CI=true` they fail instead.

How a source is mapped to its text:

- `src-korea-herald-2023-05-22` is the one source with its own text file: a `verbatim` quote cited to
  it must be in the article.
- `src-dossier` is the research file itself. A citation names it where the research file states a fact
  without naming a page (a heading, the list of the 2021 signatories, the mayor's terms): its quote must
  be in the research file, in a sentence that names no page of the dataset's sources (where a page is
  named, the citation names that page).
- Every other source exists for the dataset only as the research file records it, so every quote cited
  to it, `verbatim` or `dossier-summary`, must stand in the research file's **entry for that page**: a
  bullet item (a line starting `- ` with its continuation lines) whose own text names the page by the
  locator in `DOSSIER_KEYS` below, in a sentence that names it; or, when the bullet's own text names
  no page, in a bullet nested in one that does (the press release's quotes are listed under it). So a
  quote the research file gives for dizzotv does not pass when cited to ZDNet, even in one list;
  Yonhap's shareholding figures do not pass when cited to another Yonhap page in the same bullet; and
  the mayor's terms, in a sentence of his entry that names no page, pass for no page.

Text is compared with runs of whitespace collapsed to one space, because the research file wraps its
lines; nothing else is normalised (quotation marks, ellipses and accents must match as written).
A source missing from `DOSSIER_KEYS` fails the test, so a new source must say where its quotes stand.

The publisher and locator of every source are checked the same way: each part (split at ", ") is
written in the research file or the article, so no metadata names what no source contains. A `url` is
`https://` and a host and path the research file gives, and every host and path it gives is a source's
`url` or listed in `NOT_SOURCES` with the reason. The curators' translations (`quote_en`) spell the
people, organisations and projects a quote names as the dataset spells them.
"""

import csv
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(os.environ.get("ECOCLUSTER_SOURCES", ROOT.parent / "shared" / "sources"))
ARTICLE_SOURCE = "src-korea-herald-2023-05-22"
ARTICLE_FILE = "korea-herald-2023-05-22.txt"
DOSSIER_SOURCE = "src-dossier"  # the research file itself

# Source id -> the strings by which DOSSIER.md names that page (any one of them marks a bullet as its own).
DOSSIER_KEYS = {
    "src-asiae-2021091515382270499": ["asiae 2021091515382270499"],
    "src-asiae-2025-07-21": ["asiae 2025-07-21"],
    "src-asiae-2025-10-17": ["asiae English, 2025-10-17"],
    "src-asiae-2025121110244388659": ["asiae 2025121110244388659"],
    "src-automotiveworld-renault-geely": ["automotiveworld"],
    "src-busan-city-release-2023": ["city release", "the city writes"],
    "src-busan-inaugural-address": ["busan.go.kr/eng/inaugural-address"],
    "src-businesspost-315877": ["num=315877"],
    "src-dizzotv-2023-05-22": ["dizzotv"],
    "src-donga-2021-09-15": ["Donga 2021-09-15"],
    "src-donga-2022-02-11": ["donga 2022-02-11"],
    "src-econotelling-13417": ["econotelling.com idxno=13417"],
    "src-etnews-2022-03-16": ["etnews, 2022-03-16"],
    "src-etnews-2024-07-01": ["etnews, 2024-07-01"],
    "src-etnews-20220714000007": ["etnews 20220714000007"],
    "src-etoday-2126322": ["etoday news 2126322"],
    "src-greencarcongress-renault-geely": ["greencarcongress"],
    "src-kedglobal-ked202403190008": ["ked202403190008"],
    "src-korea-herald-2023-05-22": ["koreaherald.com/view.php?ud=20230522000622"],
    "src-korea-herald-20240318050679": ["Korea Herald 20240318050679"],
    "src-korea-herald-20240716050533": ["Korea Herald 20240716050533"],
    "src-news1-grand-koleos": ["news1"],
    "src-paultan-2022-05-10": ["paultan.org, 2022-05-10"],
    "src-renault-korea-2023-05-22": ["Company press release in English (Renault Korea Motors, 2023-05-22)"],
    "src-segye-oh-lin-tae": ["Segye"],
    "src-sports-donga-2023-05-22": ["sports.donga"],
    "src-yonhap-2022-03-16": ["AEN20220316003300320"],
    "src-yonhap-2023-05-18": ["2023-05-18 (Yonhap)"],
    "src-yonhap-2023-08-31": ["2023-08-31 (Yonhap)"],
    "src-yonhap-renault-korea-unit": ["Yonhap calls"],
    "src-zdnet-korea-2023-05-22": ["zdnet.co.kr/view/?no=20230522163453"],
}
# Hosts and paths the research file gives that are not sources of the dataset, and why.
NOT_SOURCES = {
    "busan.breaknews.com/35429": "named beside asiae for the 2021 content; no fact is cited to it",
}
# A host and path as the research file writes them (without a scheme, or after https://).
HOST_PATH = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s,;)\"]*[^\s,;)\".:])")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def evidence() -> Path:
    if not (SOURCES / "DOSSIER.md").is_file() or not (SOURCES / ARTICLE_FILE).is_file():
        reason = f"the research folder {SOURCES} (DOSSIER.md and {ARTICLE_FILE}) is not here"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (required under CI=true)")
        pytest.skip(reason)
    return SOURCES


def dossier_text() -> str:
    return (evidence() / "DOSSIER.md").read_text(encoding="utf-8")


def rows(table: str) -> list[dict[str, str]]:
    with open(ROOT / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def bullets(dossier: str) -> list[tuple[str, str]]:
    """Each bullet item of the research file as (its own text, the text of the bullets it is nested in)."""
    items: list[tuple[str, str]] = []
    stack: list[tuple[int, list[str]]] = []  # (indent, lines) of the open bullets, outermost first

    def close_to(indent: int) -> None:
        while stack and stack[-1][0] >= indent:
            own = stack.pop()
            items.append((squash(" ".join(own[1])), squash(" ".join(" ".join(s[1]) for s in stack))))

    for line in dossier.splitlines():
        start = re.match(r"^(\s*)- ", line)
        if start:
            close_to(len(start.group(1)))
            stack.append((len(start.group(1)), [line[start.end():]]))
        elif not line.strip() or line.startswith("#"):
            close_to(0)
        elif stack:
            stack[-1][1].append(line)
    close_to(0)
    return items


def sentences(text: str) -> list[str]:
    """A text cut after `.`, `!` or `?` (and a closing quote or bracket) and a space, where the next
    sentence starts with a capital, a digit, Hangul or an opening quote or bracket ("Renault S.A.", "52.82%"
    and "e.g. a" are not cut)."""
    cuts = [m.end() for m in re.finditer(r"[.!?][\"”’)]?\s+(?=[A-Z0-9\"“‘(\uac00-\ud7a3])", text)]
    bounds = [0, *cuts, len(text)]
    return [text[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]


def pages_named(text: str, keys: dict[str, list[str]]) -> set[str]:
    return {source for source, ks in keys.items() if any(k in text for k in ks)}


def in_entry(quote: str, source: str, items: list[tuple[str, str]], keys: dict[str, list[str]] = DOSSIER_KEYS
             ) -> bool:
    """Whether `quote` stands in the research file's entry for `source` (see the module's docstring)."""
    q, own_keys = squash(quote), keys.get(source, [])
    for own, outer in items:
        if q not in own:
            continue
        here = pages_named(own, keys)
        if not here:
            if any(k in outer for k in own_keys):
                return True
        elif source in here and any(q in s and any(k in s for k in own_keys) for s in sentences(own)):
            return True
    return False


def test_the_entry_reader_keeps_a_quote_with_its_own_source():
    text = ("- Korean reports of the same day:\n  - dizzotv, 2023-05-22: \"first quote\n    goes on\"\n"
            "  - zdnet: \"second quote\"\n- Press release. Quotes from it:\n  - \"third quote\"\n"
            "- Renault (Renault S.A.): Yonhap calls it \"a unit of Renault S.A.\". Shares on 2023-05-18 (Yonhap): "
            "52.82%, 34.02%.\n")
    keys = {"d": ["dizzotv"], "z": ["zdnet"], "p": ["Press release"], "unit": ["Yonhap calls"],
            "shares": ["2023-05-18 (Yonhap)"]}
    items = bullets(text)
    assert in_entry("first quote goes on", "d", items, keys)
    assert not in_entry("second quote", "d", items, keys)
    assert in_entry("third quote", "p", items, keys)  # named by the bullet it is nested in
    assert not in_entry("first quote", "p", items, keys)  # its own bullet names another page
    assert in_entry("52.82%, 34.02%", "shares", items, keys)
    assert not in_entry("52.82%, 34.02%", "unit", items, keys)  # one bullet, the other page's sentence
    assert in_entry("a unit of Renault S.A.", "unit", items, keys)  # "S.A." does not end the sentence
    items = bullets("- Park, Mayor. His spelling: \"Park Heong\" (city page). Elected 2021 (38th).\n")
    assert in_entry("Park Heong", "city", items, {"city": ["city page"]})
    assert not in_entry("Elected 2021 (38th).", "city", items, {"city": ["city page"]})  # no page named
    assert sentences("Yonhap calls it \"a unit of Renault S.A.\". Shares 52.82%, e.g. two.") == [
        "Yonhap calls it \"a unit of Renault S.A.\".", "Shares 52.82%, e.g. two."]


def test_every_source_says_where_the_research_file_records_it():
    dossier = squash(dossier_text())
    ids = {s["id"] for s in rows("sources")}
    assert ids - {DOSSIER_SOURCE} == set(DOSSIER_KEYS), "map each source to its locator in DOSSIER.md"
    for source, keys in DOSSIER_KEYS.items():
        assert all(squash(k) in dossier for k in keys), source


def test_every_quote_stands_in_the_entry_of_the_page_it_names():
    root = evidence()
    article = squash((root / ARTICLE_FILE).read_text(encoding="utf-8"))
    raw = dossier_text()
    dossier, items = squash(raw), bullets(raw)
    missing = []
    for c in rows("citations"):
        if c["source_id"] == DOSSIER_SOURCE:
            ok = squash(c["quote"]) in dossier
        elif c["source_id"] == ARTICLE_SOURCE and c["quote_kind"] == "verbatim":
            ok = squash(c["quote"]) in article
        else:
            ok = in_entry(c["quote"], c["source_id"], items)
        if not ok:
            missing.append((c["record_id"], c["field"], c["source_id"], c["quote"]))
    assert missing == []


def test_the_research_file_is_cited_only_for_what_it_ties_to_no_page():
    raw = dossier_text()
    units = [own for own, _ in bullets(raw)] + [squash(line) for line in raw.splitlines() if line.startswith("#")]
    pages = [s for unit in units for s in sentences(unit)]
    cited = [c for c in rows("citations") if c["source_id"] == DOSSIER_SOURCE]
    assert cited, "the facts the research file states without a page cite it"
    wrong = [(c["record_id"], c["field"], c["quote"]) for c in cited
             if not any(squash(c["quote"]) in s and not pages_named(s, DOSSIER_KEYS) for s in pages)]
    assert wrong == []


def test_the_research_file_has_a_source_row_of_its_own():
    raw = dossier_text()
    row = next(s for s in rows("sources") if s["id"] == DOSSIER_SOURCE)
    assert "# " + row["title"] == raw.splitlines()[0]  # its own heading
    assert row["url"] == "" and row["published_date"] == "" and row["kind"] == "other"


def test_publishers_and_locators_name_only_what_the_sources_contain():
    root = evidence()
    text = squash((root / "DOSSIER.md").read_text(encoding="utf-8") + " "
                  + (root / ARTICLE_FILE).read_text(encoding="utf-8"))
    # the research file's own row names the project's file, which the research file cannot name
    invented = [(s["id"], column, part) for s in rows("sources") if s["id"] != DOSSIER_SOURCE
                for column in ("publisher", "locator")
                for part in filter(None, s[column].split(", ")) if squash(part) not in text]
    assert invented == []


def test_a_url_is_a_host_and_path_the_research_file_gives():
    raw = dossier_text()
    given = {m.group(1) for m in HOST_PATH.finditer(raw)}
    urls = {s["id"]: s["url"] for s in rows("sources") if s["url"]}
    assert given, "the reader of hosts and paths finds none"
    assert {u[len("https://"):] for u in urls.values() if u.startswith("https://")} <= given, urls
    assert all(u.startswith("https://") for u in urls.values()), urls
    # every host and path it gives is a source's address, or not a source of the dataset
    assert sorted(given - {u[len("https://"):] for u in urls.values()}) == sorted(NOT_SOURCES)
    # an outlet and an article number are a locator, never made into an address
    assert all("/" not in s["locator"] for s in rows("sources")), "a host and path belongs in url"


def test_published_dates_are_dates_the_research_file_gives():
    dossier = squash(dossier_text())
    made_up = [(s["id"], s["published_date"]) for s in rows("sources")
               if s["published_date"] and s["published_date"] not in dossier]
    assert made_up == []


def test_translations_spell_names_as_the_dataset_does():
    evidence()
    preferred = {r["id"]: r["name"] for t in ("people", "organisations", "projects") for r in rows(t)}
    korean = [(n["name"], preferred[n["entity_id"]]) for n in rows("names")
              if n["language"] == "ko" and n["kind"] in ("official", "provisional")]
    assert korean
    wrong = [(c["record_id"], c["source_id"], name, english) for c in rows("citations") if c["quote_en"]
             for name, english in korean if name in c["quote"] and english.lower() not in c["quote_en"].lower()]
    assert wrong == []


def test_the_checks_catch_a_changed_quote():
    items = bullets(dossier_text())
    quote = "2021년부터 제8대 부산테크노파크 원장"
    assert in_entry(quote, "src-etnews-2024-07-01", items)
    assert not in_entry(quote.replace("8", "9"), "src-etnews-2024-07-01", items)
    assert not in_entry(quote, "src-dizzotv-2023-05-22", items)  # right words, wrong source
    # one bullet names automotiveworld, paultan.org and etnews: each quote only in its own sentence
    assert in_entry("길리홀딩그룹", "src-etnews-2022-03-16", items)
    assert not in_entry("길리홀딩그룹", "src-automotiveworld-renault-geely", items)
    # the mayor's terms stand in his entry, in a sentence that names no page
    terms = "Elected in the April 2021 by-election (38th), re-elected June 2022 (39th)."
    assert not in_entry(terms, "src-busan-inaugural-address", items)
