"""Every exception the library raises when it cannot run, grouped by what the user must do.

Bad data is reported, not raised (`ecocluster.validate()` returns a Report). What is raised is one of
the classes below, and each carries what the CLI needs to say it, so that no command picks an exit
code or a hint by itself:

- `code`: a stable kebab-case code; where the rule table (`ecocluster.rules`) has the same code, its
  hint is the default one, so a damaged archive reads the same in `validate` and in every command;
- `exit_code`: 2 for an input that cannot be used (fix what you gave: a path, a descriptor, an
  archive, an output folder), 1 for invalid data or an operation that failed on the way;
- `hint`: how to fix it.

`to_dict()` is the one problem shape every report uses: code, resource, row, field, value, message,
hint.
"""

from __future__ import annotations

import errno
from typing import Any

from .rules import RULES

# errno -> what to do about it, for a file that cannot be written (WriteError) or read
OS_HINTS = {
    errno.ENOSPC: "the disk is full: free some space (or write to another disk with --out) and rerun.",
    errno.EDQUOT: "the disk quota is used up: free some space (or write to another disk with --out) and rerun.",
    errno.EFBIG: "the file is larger than this process may write (`ulimit -f`): raise the limit and rerun.",
    errno.EROFS: "the file system is read-only: write to another folder.",
    errno.EACCES: "check the folder's permissions, or write to another folder.",
    errno.EPERM: "check the folder's permissions, or write to another folder.",
    errno.ENAMETOOLONG: "a name is too long for this file system: use a shorter path.",
}


class EcoclusterError(Exception):
    """Something stopped a library call from running."""

    code = "failed"
    exit_code = 1
    default_hint = ""

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None,
                 resource: str | None = None, row: int | None = None, field: str | None = None,
                 value: Any = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        rule = RULES.get(self.code)
        self.hint = hint or self.default_hint or (rule.hint if rule else "")
        self.resource, self.row, self.field, self.value = resource, row, field, value

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "resource": self.resource, "row": self.row, "field": self.field,
                "value": self.value, "message": self.message, "hint": self.hint}


# --- exit 2: the input cannot be used -----------------------------------------------------------

class InputError(EcoclusterError):
    """What was given cannot be used: fix the path, the descriptor, the archive or the output folder."""

    code = "input-invalid"
    exit_code = 2


class PackageNotFound(InputError):
    """The path given does not lead to a data package descriptor."""

    code = "package-not-found"


class PackageError(InputError):
    """The descriptor or a schema cannot be read; `code` is the rule table's (descriptor-invalid, …)."""

    def __init__(self, code: str, message: str, hint: str = "", resource: str | None = None):
        super().__init__(message, code=code, hint=hint or None, resource=resource)


class ArchiveError(InputError):
    """A release archive cannot be read or holds something unsafe."""

    code = "archive-invalid"


class OutputPathError(InputError):
    """The output folder cannot be used: it is a file, it holds the package's own files, one of its
    entries is a file where an output is a folder (or the other way round), or it cannot be made."""

    code = "output-path-invalid"
    default_hint = "choose a separate, writable folder such as build/."


class UsageError(InputError):
    """A library call was given an argument it does not take (an unknown engine, a format name)."""

    code = "usage-invalid"


# --- exit 1: the data is invalid, or an operation failed --------------------------------------

class InvalidData(EcoclusterError):
    """The package does not pass validation; `report` holds every error found."""

    code = "data-invalid"
    default_hint = "run `ecocluster validate` for every error with its fix."

    def __init__(self, message: str, report: Any = None):
        super().__init__(message)
        self.report = report


class TableUnreadable(EcoclusterError):
    """A table's CSV cannot be read (missing, empty, not UTF-8, not CSV, a header unlike its schema):
    the same for every command, with the first problem's code (file-missing, csv-invalid, …)."""

    default_hint = "run `ecocluster validate` for every problem with its fix."

    def __init__(self, message: str, code: str = "file-invalid", resource: str | None = None,
                 row: int | None = None, problems: list[Any] | None = None, hint: str | None = None,
                 detail: str = ""):
        super().__init__(message, code=code, resource=resource, row=row, hint=hint)
        self.problems = problems or []
        self.detail = detail or message  # what is wrong, without where


class WriteError(EcoclusterError):
    """A file could not be written; `path` names it, `reason` is the OS's words."""

    code = "write-failed"
    default_hint = "check that the folder exists and is writable, then rerun."

    def __init__(self, path: Any, error: OSError, hint: str = ""):
        self.path, self.errno = str(path), error.errno
        self.reason = error.strerror or str(error) or type(error).__name__
        super().__init__(f"cannot write {self.path}: {self.reason}",
                         hint=hint or OS_HINTS.get(error.errno or 0) or None)


class ExportError(EcoclusterError):
    """An export could not be written (a type it cannot map, a name clash, a broken key)."""

    code = "export-failed"


class FormatUnavailable(ExportError):
    """A format needs an optional library that is not installed; `reason` says how to get it."""

    code = "format-unavailable"

    def __init__(self, name: str, reason: str, hint: str = ""):
        super().__init__(f"the {name} export is unavailable: {reason}", hint=hint or None)
        self.name, self.reason = name, reason


class SiteSkipped(ExportError):
    """The site is not written for a package this large; `reason` says why (the manifest lists it)."""

    code = "site-skipped"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class EscapeError(ExportError):
    """A value has no safe form in the target (a NUL in an SQL identifier, a number with no literal)."""

    code = "escape-failed"


class GraphvizError(EcoclusterError):
    """Graphviz's `dot` is missing or failed, so a picture cannot be drawn."""

    code = "graphviz-failed"
    default_hint = "install Graphviz (apt-get install graphviz)."


# --- publishing and downloading releases ------------------------------------------------------

class DownloadError(EcoclusterError):
    """A published release could not be fetched or did not verify: no network, a download cut off or
    not matching its SHA-256, a damaged cached copy. Nothing unverified is used or kept."""

    code = "download-failed"


class NotFound(DownloadError):
    """The server answered that there is nothing at the address (HTTP 404)."""

    code = "release-not-found"


class UnknownVersion(DownloadError):
    """The version asked for is not in the published releases.json."""

    code = "version-unknown"
    exit_code = 2


class PreviousError(InputError):
    """The previous release given to `build --previous` cannot be used."""

    code = "previous-invalid"


class NoReleaseAddress(InputError):
    """No address is known where the releases are published (no argument, no ECOCLUSTER_BASE_URL,
    no `homepage` in datapackage.json), or the address given is not an http(s) URL."""

    code = "release-address-missing"


class PublishError(EcoclusterError):
    """Adding a build to the published releases was refused: a published version would change, or a
    version already published would be dropped."""

    code = "publish-refused"


class GitError(InputError):
    """`git` could not say which lines a change touched (no git, not a repository, an unknown REF)."""

    code = "git-ref-invalid"
    default_hint = ("give a commit, branch or tag this clone has (in a shallow CI clone, fetch it first: "
                    "git fetch --depth=1 origin BRANCH), or leave --changed-from out.")
