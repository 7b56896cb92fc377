"""The one exception family the library raises when it cannot run (bad data is reported, not raised)."""


class EcoclusterError(Exception):
    """Something stopped a library call from running: a missing package, an unwritable folder."""


class PackageNotFound(EcoclusterError):
    """The path given does not lead to a data package descriptor."""


class InvalidData(EcoclusterError):
    """The package does not pass validation; `report` holds every error found."""

    def __init__(self, message: str, report: object):
        super().__init__(message)
        self.report = report


class GitError(EcoclusterError):
    """`git` could not say which lines a change touched (no git, not a repository, an unknown REF)."""

    exit_code = 2

    hint = "give a commit, branch or tag this clone has (in a shallow CI clone, fetch it first: " \
           "git fetch --depth=1 origin BRANCH), or leave --changed-from out."
