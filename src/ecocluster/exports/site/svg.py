"""The partnership picture as the site serves it: the package's docs/partnership.svg, read through the
one path check and rebuilt from a small allow-list, with each box made a link to its page.

An SVG opened in a browser is a document like a page: it can hold scripts, event handlers, links and
references that load other hosts. The picture comes from the package, and a package can come from
anyone (a pull request, a fork), so nothing of it is copied as it is. It is parsed (xml.etree: no
external entity is fetched; any entity declaration is refused, so none can expand), and written anew
with only the elements and attributes Graphviz draws with: no <script>, <foreignObject>, <image>,
<use>, <style> or <a> of its own, no `on…` or `style` attribute, and a `url(…)` only to an element of
the picture itself (`url(#id)`). Anything else is dropped; a file that is not SVG gives no picture.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html import escape

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
MAX_BYTES = 16 << 20  # the picture of this dataset is a few hundred kilobytes
ELEMENTS = frozenset({"svg", "g", "title", "desc", "path", "polygon", "polyline", "ellipse", "circle", "rect",
                      "line", "text", "tspan", "defs", "linearGradient", "radialGradient", "stop", "clipPath"})
ATTRIBUTES = frozenset({
    "id", "class", "width", "height", "viewBox", "preserveAspectRatio", "version", "transform", "points", "d",
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy", "fill", "fill-opacity",
    "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "opacity", "font-family", "font-size", "font-weight", "font-style",
    "text-anchor", "dominant-baseline", "text-decoration", "offset", "stop-color", "stop-opacity",
    "gradientUnits", "gradientTransform", "clip-path", f"{{{XML}}}space",
})
_URL = re.compile(r"url\(", re.I)
_LOCAL_URL = re.compile(r"url\(\s*#[A-Za-z0-9_.:-]*\s*\)", re.I)


def _safe_value(value: str) -> bool:
    """An attribute value that references nothing outside the picture."""
    return len(_URL.findall(value)) == len(_LOCAL_URL.findall(value)) and "javascript:" not in value.lower()


def _local(tag: str) -> str | None:
    """The SVG element's name, or None for an element of another namespace (or a comment)."""
    return tag[len(SVG) + 2:] if isinstance(tag, str) and tag.startswith(f"{{{SVG}}}") else None


def _write(el: ET.Element, out: list[str], link: Callable[[str], str | None]) -> None:
    name = _local(el.tag)
    if name is None or name not in ELEMENTS:
        return  # with everything inside it
    attrs = "".join(f' {"xml:space" if k.startswith("{") else k}="{escape(v)}"'
                    for k, v in el.attrib.items() if k in ATTRIBUTES and _safe_value(v))
    if name == "svg" and not out:
        attrs += f' xmlns="{SVG}" xmlns:xlink="{XLINK}"'
    # a box of the graph (Graphviz names a node's group by the node's ID in its <title>) links to its page
    title = el.find(f"{{{SVG}}}title")
    href = link(title.text or "") if name == "g" and el.get("class") == "node" and title is not None else None
    if href:
        out.append(f'<a xlink:href="{escape(href)}" target="_top">')
    out.append(f"<{name}{attrs}>{escape(el.text or '', quote=False)}")
    for child in el:
        _write(child, out, link)
        if _local(child.tag) in ELEMENTS:
            out.append(escape(child.tail or "", quote=False))
    out.append(f"</{name}>")
    if href:
        out.append("</a>")


def clean_svg(data: bytes, link: Callable[[str], str | None]) -> str | None:
    """The picture rebuilt from the allow-list, each node box a link to `link(node ID)` when it gives
    one (an address on the site, relative); None when `data` is not a well-formed SVG document."""
    if len(data) > MAX_BYTES or b"<!ENTITY" in data:
        return None
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError):
        return None
    if _local(root.tag) != "svg":
        return None
    out: list[str] = []
    _write(root, out, link)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(out) + "\n"
