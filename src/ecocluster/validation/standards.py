"""Code lists from outside standards: embedded where that is exact and cheaper, else from a maintained library.

ISO 3166-1 stays embedded: it equals pycountry's list (tests/validation/test_hostile_validation.py checks this
against the installed pycountry), and importing pycountry costs ~80 ms per run, about a quarter of
validating the shipped package. Language tags need the whole IANA subtag registry and CLDR's likely
subtags, so they come from `langcodes` (its `language-data` registry), imported only when a package
has a language field, in a thread while the files are read.
"""

from __future__ import annotations

import functools
import re
from types import ModuleType

# ISO 3166-1 alpha-2: the 249 officially assigned codes (user-assigned and reserved codes such as
# XK, EU or UK are not assigned, so they are refused).
ISO_3166_ALPHA2: frozenset[str] = frozenset(
    """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW
""".split()
)

# A cell a spreadsheet would run as a formula starts with one of these (OWASP CSV injection).
FORMULA_PREFIXES = "=+-@"

# A number as Table Schema writes one (these may start with + or -, so they are not formulas).
NUMBER_REGEX = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"

# The URL schemes a `format: uri` field may hold: a link a reader can follow safely (no `javascript:`,
# `data:` or `file:`), with a host.
URL_REGEX = r"^(?i:https?)://[^\s/?#]+([/?#]\S*)?$"

# Control characters refused in any cell: C0 but tab and line feed, DEL and C1. Free text may hold a
# tab or a line break; a CR, a NUL or an escape sequence has no place in a cell.
CONTROL_REGEX = r"[\x00-\x08\x0B-\x1F\x7F-\x9F]"
# Invisible format characters (Unicode category Cf): bidi overrides and isolates, zero-width spaces
# and joiners, the byte order mark, soft hyphens, tag characters. They make two equal-looking values differ.
INVISIBLE_REGEX = r"\p{Cf}"

# A URI: a scheme, a colon and no spaces (RFC 3986's shape, not its every detail).
URI_REGEX = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$"

# Characters that can make text differ from its NFC form: every combining mark, the conjoining
# Hangul jamo, and the characters NFC replaces (singletons and composition exclusions; computed
# with Python's unicodedata, Unicode 14). Text without any of them is already NFC, so the exact
# (slow) normalisation only runs on the rare cells that have one.
NFC_SUSPECT_REGEX = (
    r"[\p{M}\x{1100}-\x{11FF}"
    r"\x{340}-\x{341}\x{343}-\x{344}\x{374}\x{37E}\x{387}\x{958}-\x{95F}\x{9DC}-\x{9DD}\x{9DF}"
    r"\x{A33}\x{A36}\x{A59}-\x{A5B}\x{A5E}\x{B5C}-\x{B5D}\x{F43}\x{F4D}\x{F52}\x{F57}\x{F5C}"
    r"\x{F69}\x{F73}\x{F75}-\x{F76}\x{F78}\x{F81}\x{F93}\x{F9D}\x{FA2}\x{FA7}\x{FAC}\x{FB9}"
    r"\x{1F71}\x{1F73}\x{1F75}\x{1F77}\x{1F79}\x{1F7B}\x{1F7D}\x{1FBB}\x{1FBE}\x{1FC9}\x{1FCB}"
    r"\x{1FD3}\x{1FDB}\x{1FE3}\x{1FEB}\x{1FEE}-\x{1FEF}\x{1FF9}\x{1FFB}\x{1FFD}\x{2000}-\x{2001}"
    r"\x{2126}\x{212A}-\x{212B}\x{2329}-\x{232A}\x{2ADC}\x{F900}-\x{FA0D}\x{FA10}\x{FA12}"
    r"\x{FA15}-\x{FA1E}\x{FA20}\x{FA22}\x{FA25}-\x{FA26}\x{FA2A}-\x{FA6D}\x{FA70}-\x{FAD9}"
    r"\x{FB1D}\x{FB1F}\x{FB2A}-\x{FB36}\x{FB38}-\x{FB3C}\x{FB3E}\x{FB40}-\x{FB41}"
    r"\x{FB43}-\x{FB44}\x{FB46}-\x{FB4E}\x{1D15E}-\x{1D164}\x{1D1BB}-\x{1D1C0}"
    r"\x{2F800}-\x{2FA1D}"
    r"]"
)


# Language subtags that name no particular language, script or region, or are for private use.
_SPECIAL_LANGUAGES = {"und", "mis", "mul", "zxx"}
_SPECIAL_SCRIPTS = {"Zinh", "Zmth", "Zsye", "Zsym", "Zxxx", "Zyyy", "Zzzz"}
_TAG = re.compile(r"(?P<lang>[a-z]{2,3})(-(?P<script>[A-Z][a-z]{3}))?(-(?P<region>[A-Z]{2}|[0-9]{3}))?")


@functools.cache
def language_registry() -> ModuleType:
    import langcodes
    import langcodes.data_dicts

    return langcodes


def _private(lang: str, script: str, region: str) -> bool:
    return (
        lang in _SPECIAL_LANGUAGES
        or "qaa" <= lang <= "qtz"
        or script in _SPECIAL_SCRIPTS
        or "Qaaa" <= script <= "Qabx"
        or region in {"AA", "ZZ"}
        or "QM" <= region <= "QZ"
        or "XA" <= region <= "XZ"
    )


def language_problem(tag: str) -> str | None:
    """Why `tag` is not a language tag this data model accepts, or None. The rules, in order:

    1. the shape `language[-Script][-REGION]` (lowercase, Title case, UPPERCASE or 3 digits);
    2. every subtag is in the IANA Language Subtag Registry (langcodes' copy of it);
    3. the tag is in canonical form: no deprecated subtag (`iw` -> `he`, `UK` -> `GB`) and no script
       the registry suppresses for its language (`en-Latn` -> `en`);
    4. no private-use or special subtag (`qaa`-`qtz`, `und`, `Zzzz`, `Qaaa`-`Qabx`, `ZZ`, `XA`-`XZ`, ...);
    5. a script is one the language is written in: CLDR's likely script for it, a script CLDR's
       likely subtags pair with it (`zh-Hant`, `und-Hang` -> `ko`), or `Latn` for a romanisation
       (`ko-Latn`). `en-Kore` is well-formed and registered, but refused.
    """
    m = _TAG.fullmatch(tag)
    if m is None:
        return "not of the form language[-Script][-REGION], e.g. en, ko-Latn, zh-Hant-TW"
    lang, script, region = m["lang"], m["script"] or "", m["region"] or ""
    lc = language_registry()
    if not lc.tag_is_valid(tag):
        return "a subtag is not in the IANA language subtag registry"
    canonical = lc.standardize_tag(tag)
    if canonical != tag:
        return f"not the canonical form: write `{canonical}`"
    if _private(lang, script, region):
        return "a private-use or special subtag names no particular language, script or region"
    if script and script != "Latn":
        likely = lc.data_dicts.LIKELY_SUBTAGS
        own = likely.get(lang, "").split("-")
        by_script = likely.get(f"und-{script}", "")
        if script not in own[1:2] and f"{lang}-{script}" not in likely and not by_script.startswith(f"{lang}-"):
            return f"`{script}` is not a script `{lang}` is written in (CLDR likely subtags), nor Latn"
    return None
