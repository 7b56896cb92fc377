"""Every quote in citations.csv is found in the evidence it claims to come from.

The evidence is the research folder beside the repository, `../shared/sources/` (another folder with
`ECOCLUSTER_SOURCES=DIR`): the primary article `korea-herald-2023-05-22.txt` and the research file
`DOSSIER.md`. Neither is copied into the repository; without the folder these tests skip, and under
`CI=true` they fail instead.

How a source is mapped to its text:

- `src-korea-herald-2023-05-22` is the one source with its own text file: a `verbatim` quote cited to
  it must be in the article.
- Every other source exists for the dataset only as the research file records it. A `verbatim`
  quote cited to it must stand in the research file **under that source**: inside one bullet item
  (a line starting `- ` with its continuation lines) whose own text, or the text of a bullet it is
  nested in, names the source by the locator in `DOSSIER_KEYS` below. So a quote the research file
  gives for dizzotv does not pass when cited to ZDNet, even where both are in one list.
- A `dossier-summary` quote is the research file's own wording about a page; it must be in the
  research file (anywhere: such a fact may stand in a heading or in the entry of a person).

Text is compared with runs of whitespace collapsed to one space, because the research file wraps its
lines; nothing else is normalised (quotation marks, ellipses and accents must match as written).
A source missing from `DOSSIER_KEYS` fails the test, so a new source must say where its quotes stand.

The publisher and locator of every source are checked the same way: each part (split at ", ") is
written in the research file or the article, so no metadata names what no source contains.
"""

import csv
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(os.environ.get("ECOCLUSTER_SOURCES", ROOT.parent / "shared" / "sources"))
ARTICLE_SOURCE = "src-korea-herald-2023-05-22"
ARTICLE_FILE = "korea-herald-2023-05-22.txt"

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
    "src-etoday-2126322": ["etoday news 2126322"],
    "src-greencarcongress-renault-geely": ["greencarcongress"],
    "src-kedglobal-ked202403190008": ["ked202403190008"],
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


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def evidence() -> Path:
    if not (SOURCES / "DOSSIER.md").is_file() or not (SOURCES / ARTICLE_FILE).is_file():
        reason = f"the research folder {SOURCES} (DOSSIER.md and {ARTICLE_FILE}) is not here"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (required under CI=true)")
        pytest.skip(reason)
    return SOURCES


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


def found_under(quote: str, keys: list[str], items: list[tuple[str, str]]) -> bool:
    q = squash(quote)
    return any(q in own and any(k in own or k in outer for k in keys) for own, outer in items)


def test_the_bullet_reader_keeps_a_quote_with_its_own_source():
    text = ("- Korean reports of the same day:\n  - dizzotv, 2023-05-22: \"first quote\n    goes on\"\n"
            "  - zdnet: \"second quote\"\n- Press release. Quotes from it:\n  - \"third quote\"\n")
    items = bullets(text)
    assert found_under("first quote goes on", ["dizzotv"], items)
    assert not found_under("second quote", ["dizzotv"], items)
    assert found_under("third quote", ["Press release"], items)  # named by the bullet it is nested in
    assert not found_under("first quote", ["Press release"], items)


def test_every_source_says_where_the_research_file_records_it():
    evidence()
    dossier = squash((SOURCES / "DOSSIER.md").read_text(encoding="utf-8"))
    ids = {s["id"] for s in rows("sources")}
    assert ids - {ARTICLE_SOURCE} == set(DOSSIER_KEYS), "map each source to its locator in DOSSIER.md"
    for source, keys in DOSSIER_KEYS.items():
        assert all(squash(k) in dossier for k in keys), source


def test_every_verbatim_quote_is_in_its_source_word_for_word():
    root = evidence()
    article = squash((root / ARTICLE_FILE).read_text(encoding="utf-8"))
    items = bullets((root / "DOSSIER.md").read_text(encoding="utf-8"))
    missing = []
    for c in rows("citations"):
        if c["quote_kind"] != "verbatim":
            continue
        if c["source_id"] == ARTICLE_SOURCE:
            ok = squash(c["quote"]) in article
        else:
            ok = found_under(c["quote"], DOSSIER_KEYS.get(c["source_id"], []), items)
        if not ok:
            missing.append((c["record_id"], c["field"], c["source_id"], c["quote"]))
    assert missing == []


def test_every_dossier_summary_is_the_research_files_wording():
    root = evidence()
    dossier = squash((root / "DOSSIER.md").read_text(encoding="utf-8"))
    missing = [(c["record_id"], c["field"], c["source_id"], c["quote"]) for c in rows("citations")
               if c["quote_kind"] == "dossier-summary" and squash(c["quote"]) not in dossier]
    assert missing == []


def test_publishers_and_locators_name_only_what_the_sources_contain():
    root = evidence()
    text = squash((root / "DOSSIER.md").read_text(encoding="utf-8") + " "
                  + (root / ARTICLE_FILE).read_text(encoding="utf-8"))
    invented = [(s["id"], column, part) for s in rows("sources") for column in ("publisher", "locator")
                for part in filter(None, s[column].split(", ")) if squash(part) not in text]
    assert invented == []


def test_the_checks_catch_a_changed_quote():
    root = evidence()
    items = bullets((root / "DOSSIER.md").read_text(encoding="utf-8"))
    quote = "2021년부터 제8대 부산테크노파크 원장"
    assert found_under(quote, DOSSIER_KEYS["src-etnews-2024-07-01"], items)
    assert not found_under(quote.replace("8", "9"), DOSSIER_KEYS["src-etnews-2024-07-01"], items)
    assert not found_under(quote, DOSSIER_KEYS["src-dizzotv-2023-05-22"], items)  # right words, wrong source
