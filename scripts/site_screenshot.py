#!/usr/bin/env python3
"""Photograph a page of the static site in headless Chromium: the README's docs/site-entity.png.

    python scripts/site_screenshot.py [--page organisations/org-renault-korea.html] [--out docs/site-entity.png]

Writes the site of the shipped package (or of --package) into a temporary folder with
`ecocluster export --to site`'s code, opens the page from file:// and saves a PNG. Needs Debian's
`chromium` and `chromium-driver` and the `selenium` package (the test extra). Exit 2 when they are missing.
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
    """A headless Chromium driven through the system chromedriver, with a fresh profile folder."""
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
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def screenshot(page: Path, out: Path, width: int = 1000, height: int = 1400) -> Path:
    with tempfile.TemporaryDirectory(prefix="ecocluster-chrome-") as profile:
        driver = chrome(Path(profile), width, height)
        try:
            driver.get(page.resolve().as_uri())
            out.parent.mkdir(parents=True, exist_ok=True)
            if not driver.save_screenshot(str(out)):
                raise RuntimeError(f"the browser could not save {out}")
        finally:
            driver.quit()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default=None, help="a datapackage.json or its folder (default: the shipped one)")
    parser.add_argument("--page", default="organisations/org-renault-korea.html", help="the page, from the site root")
    parser.add_argument("--out", type=Path, default=Path("docs/site-entity.png"))
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--height", type=int, default=1400)
    args = parser.parse_args(argv)
    if reason := missing():
        print(f"site_screenshot: {reason}", file=sys.stderr)
        return 2
    from ecocluster.errors import EcoclusterError
    from ecocluster.exports.site import export
    from ecocluster.package import Package
    from ecocluster.tables import read_tables

    with tempfile.TemporaryDirectory(prefix="ecocluster-site-") as tmp:
        try:
            export(read_tables(Package.open(args.package)), Path(tmp))
        except EcoclusterError as e:
            print(f"site_screenshot: {e}", file=sys.stderr)
            return 1
        page = (Path(tmp) / "site" / args.page).resolve()
        if Path(tmp).resolve() not in page.parents or not page.is_file():
            print(f"site_screenshot: no page {args.page} in the site", file=sys.stderr)
            return 2
        screenshot(page, args.out, args.width, args.height)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
