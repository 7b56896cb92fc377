"""CITATION.cff, read safely: through the one path check, at most MAX_BYTES, and parsed as YAML with
no aliases and at most MAX_DEPTH levels of nesting.

YAML lets a document name a node (`&a`) and repeat it (`*a`): nine lines of aliases of aliases expand
to a billion nodes (the "billion laughs"), and twenty thousand nested brackets exhaust the recursion
of any YAML composer. A CITATION.cff needs neither, so both are refused before they are built:
the file is then treated as absent (the site, .zenodo.json and the release go without it), as a
missing or unreadable one is.
"""

from __future__ import annotations

from typing import Any

from .model import Package

FILE = "CITATION.cff"
MAX_BYTES = 1 << 20  # a citation is a few kilobytes
MAX_DEPTH = 20  # CITATION.cff nests authors, references and their authors: four or five levels


def parse_yaml(text: str) -> Any:
    """One YAML document, with aliases refused and nesting capped (yaml.YAMLError otherwise)."""
    import yaml  # a declared dependency (pyproject.toml)

    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise yaml.YAMLError("an alias (`*name`): CITATION.cff is read without aliases")
            if self.check_event(yaml.ScalarEvent):
                return super().compose_node(parent, index)
            self.depth += 1  # a mapping or a sequence
            try:
                if self.depth > MAX_DEPTH:
                    raise yaml.YAMLError(f"nested more than {MAX_DEPTH} levels deep")
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    loader = Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_citation(package: Package) -> dict[str, Any] | None:
    """CITATION.cff beside the descriptor, parsed; None when there is none or it cannot be read safely."""
    import yaml

    data = package.read(FILE, cap=MAX_BYTES)
    if data is None:
        return None
    try:
        doc = parse_yaml(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
