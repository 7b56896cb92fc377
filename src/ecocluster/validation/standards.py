"""Code lists from outside standards, embedded so validation needs no extra dependency or network."""

from __future__ import annotations

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

# A URI: a scheme, a colon and no spaces (RFC 3986's shape, not its every detail).
URI_REGEX = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$"
