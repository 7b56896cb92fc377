"""The site in a real browser: headless Debian Chromium through Selenium and the system chromedriver.

Opens the front page from file://, searches three name variants, follows a result to its page and a
citation to its source page, checks every quote shown against the CSV, runs axe-core (no serious or
critical violation) and takes screenshots. Skips with a reason when chromium, chromedriver, selenium or
axe-core is missing; under CI=true that is a failure (.ci/install-browser installs them).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
from pathlib import Path

import pytest

from ecocluster.exports.site import build_site
from ecocluster.package import Package
from ecocluster.release import release_archive
from ecocluster.release.manifest import file_resource as _file_resource
from ecocluster.tables import read_tables

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "site_screenshot.py"
SHOTS = Path(os.environ.get("ECOCLUSTER_SCREENSHOTS", "")) if os.environ.get("ECOCLUSTER_SCREENSHOTS") else None


def _script():
    spec = importlib.util.spec_from_file_location("site_screenshot", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shot = _script()


def axe_path() -> Path | None:
    """axe.min.js from $ECOCLUSTER_AXE_JS, or the path .ci/install-browser wrote to .ci/axe-path."""
    value = os.environ.get("ECOCLUSTER_AXE_JS")
    if not value and (ROOT / ".ci" / "axe-path").is_file():
        value = (ROOT / ".ci" / "axe-path").read_text(encoding="utf-8").strip()
    return Path(value) if value and Path(value).is_file() else None


def _require() -> None:
    reason = shot.missing() or (None if axe_path() else
                                "axe-core is missing (run .ci/install-browser or set ECOCLUSTER_AXE_JS)")
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    _require()
    out = tmp_path_factory.mktemp("browser-site")
    package = Package.open(ROOT)
    archive = release_archive(package, out)
    build_site(read_tables(package), out, {"resources": [_file_resource(archive, archive.name)]})
    return out / "site"


@pytest.fixture(scope="module")
def driver(site, tmp_path_factory):
    d = shot.chrome(tmp_path_factory.mktemp("chrome-profile"), 1000, 1400)
    yield d
    d.quit()


def csv_quotes() -> dict[tuple[str, str], list[str]]:
    with open(ROOT / "data" / "citations.csv", encoding="utf-8", newline="") as fh:
        out: dict[tuple[str, str], list[str]] = {}
        for c in csv.DictReader(fh):
            out.setdefault((c["record_id"], c["source_id"]), []).append(c["quote"])
        return out


def shown_quotes(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('blockquote.quote')).map(q => q.textContent);")


def run_axe(driver) -> list[dict]:
    driver.execute_script(axe_path().read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(JSON.stringify(r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ").catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}])));")
    return json.loads(result)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def search(driver, site: Path, query: str) -> list:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get((site / "index.html").as_uri())
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(query)
    driver.find_element(By.CSS_SELECTOR, "#search-form button").click()
    WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, "a.search-hit")))
    return driver.find_elements(By.CSS_SELECTOR, "a.search-hit")


def save(driver, name: str, tmp_path: Path) -> Path:
    target = (SHOTS or tmp_path) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return target


@pytest.mark.parametrize("query, page", [
    ("르노코리아", "organisations/org-renault-korea.html"),
    ("Renault Samsung", "organisations/org-renault-korea.html"),
    ("Park Hyeong-joon", "people/person-park-heong-joon.html"),
    ("park hyeong joon", "people/person-park-heong-joon.html"),  # spacing, case and hyphens do not matter
])
def test_search_finds_every_name_variant(driver, site, query, page):
    hits = search(driver, site, query)
    assert hits[0].get_attribute("href") == (site / page).as_uri()


def test_search_then_citation_then_source(driver, site, tmp_path):
    from selenium.webdriver.common.by import By

    assert not serious(v := run_axe_on(driver, site / "index.html")), v
    save(driver, "front.png", tmp_path)
    search(driver, site, "르노코리아")[0].click()
    assert driver.current_url == (site / "organisations" / "org-renault-korea.html").as_uri()
    assert driver.find_element(By.TAG_NAME, "h1").text == "Renault Korea"
    korean = driver.find_elements(By.CSS_SELECTOR, "span.name[lang='ko']")
    assert "르노코리아" in [k.text for k in korean]
    quotes = csv_quotes()
    every = {q for qs in quotes.values() for q in qs}
    assert set(shown_quotes(driver)) <= every and shown_quotes(driver)
    violations = run_axe(driver)
    assert not serious(violations), violations
    save(driver, "organisation.png", tmp_path)
    link = driver.find_element(By.CSS_SELECTOR, ".row a.source-link")  # names' evidence is folded
    source_url = link.get_attribute("href")
    link.click()
    assert driver.current_url == source_url
    source_id = Path(source_url).stem
    # every quote on the source page is one of that source's quotes in the CSV, and all of them are there
    expected = sorted(q for (rec, src), qs in quotes.items() if src == source_id for q in qs)
    assert sorted(shown_quotes(driver)) == expected
    assert not serious(v := run_axe(driver)), v
    save(driver, "source.png", tmp_path)


def run_axe_on(driver, page: Path) -> list[dict]:
    driver.get(page.as_uri())
    return run_axe(driver)


@pytest.mark.parametrize("page", ["people/person-park-heong-joon.html",
                                  "agreements/agreement-2023-05-22-busan-future-car-ecosystem.html",
                                  "projects/project-eco-cluster-center.html", "tables/citations.html",
                                  "organisations/index.html"])
def test_pages_pass_axe(driver, site, page, tmp_path):
    if not (site / page).is_file():
        pytest.fail(f"no page {page}")
    assert not serious(v := run_axe_on(driver, site / page)), v
    save(driver, page.replace("/", "_").replace(".html", ".png"), tmp_path)


def test_phone_width_has_no_sideways_scroll(site, tmp_path_factory, tmp_path):
    d = shot.chrome(tmp_path_factory.mktemp("chrome-phone"), 390, 844)
    try:
        for page in ("index.html", "organisations/org-renault-korea.html"):
            d.get((site / page).as_uri())
            width = d.execute_script("return document.documentElement.scrollWidth;")
            inner = d.execute_script("return window.innerWidth;")
            assert width <= inner, (page, width, inner)
        save(d, "phone.png", tmp_path)
    finally:
        d.quit()


def test_screenshot_script_writes_the_readme_picture(site, tmp_path):
    out = tmp_path / "site-entity.png"
    assert shot.main(["--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.main(["--page", "../../etc/passwd", "--out", str(tmp_path / "x.png")]) == 2
