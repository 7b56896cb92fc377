"""`python -m ecocluster` runs the command line."""

from .cli import entry

entry()
