"""The package's version, kept equal to pyproject.toml's and the descriptor's by a test; a literal,
because importlib.metadata costs more start-up time than the whole CLI should."""

VERSION = "0.3.0"
