"""A static HTTP server on 127.0.0.1 in a thread, for the tests of publishing and downloading
(tests/release/test_published.py, test_download.py). No test reaches any other address.

`faults` makes it misbehave for chosen paths: "wrong" sends bytes of the right length but not the
published ones, "cut" announces the whole length and closes the connection halfway through.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fuzzcases import base


@dataclass
class Server:
    root: Path
    url: str = ""
    faults: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


class _Handler(http.server.SimpleHTTPRequestHandler):
    server_state: Server

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):  # noqa: N802 - the base class's name
        state = self.server_state
        path = self.path.split("?", 1)[0]
        state.requests.append(path)
        fault = state.faults.get(path)
        target = state.root / path.lstrip("/")
        if fault is None or not target.is_file():
            return super().do_GET()
        data = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if fault == "wrong":
            self.wfile.write(bytes(b ^ 0xFF for b in data))
        else:  # "cut": half the bytes, then the connection closes
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True


@contextlib.contextmanager
def serve(root: Path) -> Iterator[Server]:
    """Serve `root` on 127.0.0.1 at a free port until the block ends."""
    state = Server(root)
    handler = type("Handler", (_Handler,), {"server_state": state})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def no_proxy(monkeypatch) -> None:
    """Requests to 127.0.0.1 go straight there, whatever proxy the machine sets."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def package(root: Path, version: str, edits: list[tuple[str, str, str]] = ()) -> Path:
    """A small valid package (three tables) at `version`, with (table, old, new) text edits of its CSVs."""
    if root.exists():
        shutil.rmtree(root)
    base(root)
    dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    dp["version"] = version
    (root / "datapackage.json").write_text(json.dumps(dp, indent=1, ensure_ascii=False), encoding="utf-8")
    changelog = f"# Changelog\n\n## {version} — 2027-01-0{version[-1]}\n\n- Release {version}.\n"
    (root / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    for table, old, new in edits:
        csv = root / "data" / f"{table}.csv"
        text = csv.read_text(encoding="utf-8")
        assert old in text, (table, old)
        csv.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root
