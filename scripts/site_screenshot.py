#!/usr/bin/env python3
"""Photograph pages of the static site in headless Chromium: the README's picture and docs/site.md's.

    python scripts/site_screenshot.py [--page organisations/org-renault-korea.html] [--out docs/site-entity.png]
    python scripts/site_screenshot.py --all [--out-dir docs]

The first form writes the site of the shipped package (or of --package) into a temporary folder with
`ecocluster export --to site`'s code, opens one page from file:// and saves a PNG. `--all` builds the
package as `ecocluster build` does (so the front page lists the downloads) and saves the first screen
of each kind of page at 1280 px and at 390 px (a phone, emulated): DIR/site-<kind>-<width>.png.
Needs Debian's `chromium` and `chromium-driver` and the `selenium` package (the test extra). Exit 2
when they are missing.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

CHROMEDRIVER = "/usr/bin/chromedriver"
# No network, no first-run, no background traffic: the page must load from file:// alone.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
WIDTHS = {1280: 800, 390: 844}  # the first screen of a laptop and of a phone
PHONE = 500  # narrower than this, the browser is told it is a phone (touch, the page's viewport tag)
# One page of each kind, from the site root; a search is given in the address, as a shared link would be.
KINDS = {
    "front": "index.html",
    "search": "search.html?q=Deblase",
    "list": "agreements/index.html",
    "agreement": "agreements/agreement-2023-05-22-busan-future-car-ecosystem.html",
    "person": "people/person-stephane-deblaise.html",
    "organisation": "organisations/org-renault-korea.html",
    "project": "projects/project-eco-cluster-center.html",
    "source": "sources/src-korea-herald-2023-05-22.html",
    "about": "about.html",
    "table": "tables/agreement_parties.html",
}


def missing() -> str | None:
    """Why a browser cannot be driven here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install -e '.[test]')"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "chromium is not installed (apt-get install chromium)"
    if not Path(CHROMEDRIVER).exists():
        return f"{CHROMEDRIVER} is missing (apt-get install chromium-driver)"
    return None


def chrome(profile: Path, width: int = 1000, height: int = 1400):
    """A headless Chromium driven through the system chromedriver, with a fresh profile folder, whose
    page area is exactly width x height (a phone's when narrow)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    emulate(driver, width, height)
    return driver


def emulate(driver, width: int, height: int) -> None:
    """The window size alone leaves the page area a little smaller than asked; this makes it exact."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < PHONE})


def page_uri(site: Path, page: str) -> str | None:
    """The file:// address of a page of the site (with its ?query), or None if it is not one."""
    path, _, query = page.partition("?")
    target = (site / path).resolve()
    if site.resolve() not in target.parents or not target.is_file():
        return None
    return target.as_uri() + (f"?{query}" if query else "")


def screenshot(page: Path | str, out: Path, width: int = 1000, height: int = 1400) -> Path:
    with tempfile.TemporaryDirectory(prefix="ecocluster-chrome-") as profile:
        driver = chrome(Path(profile), width, height)
        try:
            driver.get(page if isinstance(page, str) else page.resolve().as_uri())
            out.parent.mkdir(parents=True, exist_ok=True)
            if not driver.save_screenshot(str(out)):
                raise RuntimeError(f"the browser could not save {out}")
        finally:
            driver.quit()
    return out


def every_kind(site: Path, out_dir: Path) -> list[Path]:
    """The first screen of each kind of page at each width: out_dir/site-<kind>-<width>.png."""
    written = []
    with tempfile.TemporaryDirectory(prefix="ecocluster-chrome-") as profile:
        for width, height in WIDTHS.items():
            driver = chrome(Path(profile) / str(width), width, height)
            try:
                for kind, page in KINDS.items():
                    uri = page_uri(site, page)
                    if uri is None:
                        continue  # a package without this kind of page
                    driver.get(uri)
                    out = out_dir / f"site-{kind}-{width}.png"
                    out.parent.mkdir(parents=True, exist_ok=True)
                    if not driver.save_screenshot(str(out)):
                        raise RuntimeError(f"the browser could not save {out}")
                    written.append(out)
            finally:
                driver.quit()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default=None, help="a datapackage.json or its folder (default: the shipped one)")
    parser.add_argument("--page", default="organisations/org-renault-korea.html", help="the page, from the site root")
    parser.add_argument("--out", type=Path, default=Path("docs/site-entity.png"))
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--height", type=int, default=1400)
    parser.add_argument("--all", action="store_true", help="every kind of page at 1280 and 390 px, into --out-dir")
    parser.add_argument("--out-dir", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    if reason := missing():
        print(f"site_screenshot: {reason}", file=sys.stderr)
        return 2
    from ecocluster.errors import EcoclusterError
    from ecocluster.exports.site import export
    from ecocluster.package import Package
    from ecocluster.release import build
    from ecocluster.tables import read_tables

    with tempfile.TemporaryDirectory(prefix="ecocluster-site-") as tmp:
        try:
            if args.all:
                build(Package.open(args.package), Path(tmp) / "build")
            else:
                export(read_tables(Package.open(args.package)), Path(tmp) / "build")
        except EcoclusterError as e:
            print(f"site_screenshot: {e}", file=sys.stderr)
            return 1
        site = Path(tmp) / "build" / "site"
        if args.all:
            for path in every_kind(site, args.out_dir):
                print(path)
            return 0
        uri = page_uri(site, args.page)
        if uri is None:
            print(f"site_screenshot: no page {args.page} in the site", file=sys.stderr)
            return 2
        screenshot(uri, args.out, args.width, args.height)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
