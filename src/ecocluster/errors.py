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


class DownloadError(EcoclusterError):
    """A published release could not be fetched or did not verify: no network, a download cut off or
    not matching its SHA-256, a damaged cached copy. Nothing unverified is used or kept."""

    exit_code = 1

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


class UnknownVersion(DownloadError):
    """The version asked for is not in the published releases.json."""

    exit_code = 2


class NoReleaseAddress(EcoclusterError):
    """No address is known where the releases are published (no argument, no ECOCLUSTER_BASE_URL,
    no `homepage` in datapackage.json), or the address given is not an http(s) URL."""

    exit_code = 2

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


class PublishError(EcoclusterError):
    """Adding a build to the published releases was refused: a published version would change, or a
    version already published would be dropped."""

    exit_code = 1

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint
