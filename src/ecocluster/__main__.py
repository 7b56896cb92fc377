"""`python -m ecocluster` runs the command line."""

from .cli import main

main()
