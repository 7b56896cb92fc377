"""Names only this user's ecocluster can make: a nonce and its HMAC under a secret kept in the user's
cache folder, readable by that user alone.

`build` and `export` leave folders beside or inside the output folder when they are killed (a staging
folder, the old outputs moved aside), and the next run removes them or puts them back. A name alone
cannot say a folder is ours: a user may keep a folder of that shape in `build/`, and in a shared
parent such as /tmp anyone may plant one. So each such name carries a MAC (`mark`), and a folder is
treated as ours only when its name verifies (`is_marked`) and it belongs to this user. A package
cannot forge one, nor can another user. Where the secret cannot be kept (no writable cache folder),
a secret of this process is used: its own names still verify, those of earlier runs never do, so
their folders are left alone rather than taken for ours.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

CACHE_ENV = "ECOCLUSTER_CACHE"
SECRET_FILE = "name-secret"
_process_secret = secrets.token_bytes(32)


def cache_folder() -> Path:
    """$ECOCLUSTER_CACHE, else $XDG_CACHE_HOME/ecocluster, else ~/.cache/ecocluster."""
    if env := os.environ.get(CACHE_ENV):
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ecocluster"


def _secret() -> bytes:
    path = cache_folder() / SECRET_FILE
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                data = fh.read(64)
            if st.st_uid == os.geteuid() and not st.st_mode & 0o077 and len(data) == 32:
                return data
            return _process_secret  # someone else's, or readable by others: not a secret
        except FileNotFoundError:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(secrets.token_bytes(32))
            except FileExistsError:  # another run made it meanwhile: read that one
                continue
            except OSError:
                return _process_secret
        except OSError:
            return _process_secret
    return _process_secret


def _mac(nonce: str, purpose: str) -> str:
    return hmac.new(_secret(), f"{purpose}\0{nonce}".encode(), hashlib.sha256).hexdigest()[:24]


def mark(purpose: str) -> str:
    """A fresh `<nonce>-<mac>` for a name made for `purpose` (say `.build.staging`)."""
    nonce = secrets.token_hex(8)
    return f"{nonce}-{_mac(nonce, purpose)}"


def is_marked(text: str, purpose: str) -> bool:
    """Whether `text` is a `mark(purpose)` made by this user's ecocluster."""
    nonce, _, mac = text.partition("-")
    return len(nonce) == 16 and len(mac) == 24 and hmac.compare_digest(mac, _mac(nonce, purpose))
