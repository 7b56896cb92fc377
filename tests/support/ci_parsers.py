"""How the CI runners read a log, for the tests of the github and azure formats: small ports of the
parsers the runners use, so a test sees what a runner would run.

- GitHub: actions/runner, src/Runner.Common/ActionCommand.cs (TryParseV2: a line that starts with
  `::` after leading blanks; TryParse: `##[` anywhere in a line) and src/Runner.Worker/
  ActionCommandManager.cs (V2 first, then V1; `stop-commands` until its token comes back).
- Azure Pipelines: azure-pipelines-agent, Command.cs and CommandStringConvertor.cs (`##vso[` anywhere
  in a line, properties split on `;`, `%3B %0D %0A %5D` decoded, and `%AZP25` for `%`).
Lines end at CR, LF or CRLF, as .NET's ReadLine ends them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LINES = re.compile(r"\r\n|\r|\n")
GITHUB_COMMANDS = {"error", "warning", "notice", "debug", "group", "endgroup", "add-mask", "set-output",
                   "save-state", "add-path", "set-env", "add-matcher", "remove-matcher", "echo", "stop-commands"}


@dataclass
class Command:
    name: str
    props: dict[str, str] = field(default_factory=dict)
    data: str = ""


def _unescape(text: str, pairs: list[tuple[str, str]]) -> str:
    for code, token in pairs:
        text = text.replace(code, token)
    return text


_V2_DATA = [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]
_V2_PROP = [("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")]
_V1 = [("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%25", "%")]


def _v2(line: str, registered: set[str]) -> Command | None:
    line = line.lstrip()
    if not line.startswith("::"):
        return None
    end = line.find("::", 2)
    if end < 0:
        return None
    info = line[2:end]
    name = info.split(" ", 1)[0]
    if name.lower() not in registered:
        return None
    cmd = Command(name.lower())
    if " " in info:
        for prop in info.split(" ", 1)[1].strip().split(","):
            pair = [p for p in prop.split("=", 1) if p]
            if len(pair) == 2:
                cmd.props[pair[0]] = _unescape(pair[1], _V2_PROP)
    cmd.data = _unescape(line[end + 2:], _V2_DATA)
    return cmd


def _bracketed(line: str, prefix: str, pairs: list[tuple[str, str]]) -> tuple[int, Command] | None:
    """`PREFIXname k=v;k=v]data` found anywhere in a line (GitHub's `##[`, Azure's `##vso[`)."""
    start = line.find(prefix)
    end = line.find("]", start) if start >= 0 else -1
    if end < 0:
        return None
    info = line[start + len(prefix):end]
    cmd = Command(info.split(" ", 1)[0])
    if " " in info:
        for prop in info.split(" ", 1)[1].split(";"):
            pair = [p for p in prop.split("=", 1) if p]
            if len(pair) == 2:
                cmd.props[pair[0]] = _unescape(pair[1], pairs)
    cmd.data = _unescape(line[end + 1:], pairs)
    return start, cmd


def _v1(line: str, registered: set[str]) -> Command | None:
    found = _bracketed(line, "##[", _V1)
    if found is None or found[1].name.lower() not in registered:
        return None
    found[1].name = found[1].name.lower()
    return found[1]


def github_commands(log: str) -> list[Command]:
    """Every command GitHub's runner would act on in `log`, in order (a resume token shows as its name)."""
    registered = set(GITHUB_COMMANDS)
    stopped_until: str | None = None
    out = []
    for line in LINES.split(log):
        cmd = _v2(line, registered) or _v1(line, registered)
        if cmd is None:
            continue
        if stopped_until is not None:
            if cmd.name == stopped_until:
                registered.discard(stopped_until)
                stopped_until = None
                out.append(cmd)
            continue
        if cmd.name == "stop-commands":
            stopped_until = cmd.data.lower()
            registered.add(stopped_until)
        out.append(cmd)
    return out


_AZURE = [("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%AZP25", "%")]


def azure_commands(log: str) -> list[tuple[int, Command]]:
    """Every logging command the Azure Pipelines agent would run in `log`: (where in its line it starts,
    the command with its properties and message decoded); the name must be `area.event`."""
    found = (_bracketed(line, "##vso[", _AZURE) for line in LINES.split(log))
    return [f for f in found if f is not None and len([p for p in f[1].name.split(".") if p]) == 2]


def assert_shown_as_text(text: str, commands: frozenset[str] = frozenset()) -> None:
    """`text`, as a command printed it, holds no control or invisible character but line feeds, and no
    line a GitHub runner would run but `commands` (nor, unless "azure" is among them, an Azure one)."""
    import unicodedata

    raw = sorted({f"U+{ord(c):04X}" for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F
                  or unicodedata.category(c) in ("Cf", "Cs", "Zl", "Zp")})
    assert raw == [], raw
    found = github_commands(text)
    # the token that resumes commands after `stop-commands` shows as a command of that name
    resume = {c.data.lower() for c in found if c.name == "stop-commands"} if "stop-commands" in commands else set()
    forged = [c for c in found if c.name not in commands | resume]
    assert forged == [], forged
    if "azure" not in commands:
        assert azure_commands(text) == []
