"""The column-level gates: one regex scan over a whole column must never hide a value the per-value
test would refuse (a false alarm is allowed: the per-value test then runs)."""

import random

import polars as pl
import pytest

from ecocluster.validation import expressions as ex

ID = "^src-[a-z0-9]+(-[a-z0-9]+)*$"
FIELD = r"^(\*|[a-z][a-z0-9_]*)$"
LANGUAGE = "^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"


def _all_match(values: list[str | None], pattern: str) -> bool:
    frame = pl.DataFrame({"c": values}, schema={"c": pl.String})
    return frame.select(ex.all_match(pl.col("c"), pattern)).item()


def _per_value(values: list[str | None], pattern: str) -> bool:
    frame = pl.DataFrame({"c": values}, schema={"c": pl.String})
    return not frame.select((pl.col("c").is_not_null() & ~ex.matches(pl.col("c"), pattern)).any()).item()


@pytest.mark.parametrize("pattern", [ID, FIELD, LANGUAGE, r"^[0-9]{4}$", r"a.b", r"^[\[\]x]+$"])
def test_the_patterns_of_the_data_model_and_others_are_line_safe(pattern):
    assert ex.line_safe(pattern)


@pytest.mark.parametrize(
    "pattern",
    [r"[^,]*", r"a\sb", r"\S+", r"\W", r"(?s).", r"(?m)^a$", r"[\n]", r"\x0a", r"\p{L}+", "a\nb", r"[a[^b]]", "[\t-~]"],
)
def test_patterns_that_could_match_a_line_break_are_not(pattern):
    assert not ex.line_safe(pattern)


@pytest.mark.parametrize(
    "values, expected",
    [
        (["src-a", "src-b-2", None, "src-c"], True),
        (["src-a", "src-B", "src-c"], False),  # one bad value among good ones
        (["src-a", "src-b\nsrc-c"], False),  # a line break inside a value: no false "all match"
        (["src-a\n", "src-b"], False),
        (["", "src-a"], False),  # an empty (not null) value does not match
        ([None, None], False),  # nothing to join: the gate opens, the per-value test finds nothing
        ([], False),
        (["src-a"], True),
    ],
)
def test_all_match_is_true_only_when_every_value_matches(values, expected):
    assert _all_match(values, ID) is expected
    if expected:
        assert _per_value(values, ID)


def test_all_match_never_hides_a_value_the_per_value_test_refuses():
    rng = random.Random(7)
    alphabet = ["src-", "a", "0", "-", "\n", "B", "*", "_", "x", ""]
    for pattern in (ID, FIELD, LANGUAGE):
        for _ in range(400):
            values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(1, 5))]
            values = [v if rng.random() > 0.1 else None for v in values]
            if _all_match(values, pattern):
                assert _per_value(values, pattern), (pattern, values)


@pytest.mark.parametrize(
    "value",
    [" lead", "trail ", "=SUM(A1)", "+1", "-x", "@x", "e\u0301", "\u1100\u1161", "tab\t", "\u00a0nbsp"],
)
def test_the_text_gate_opens_for_any_value_a_text_rule_may_refuse(value):
    frame = pl.DataFrame({"c": ["clean", value, None, "also clean"]})
    per_row = frame.select(ex.may_break_text_rules(pl.col("c")).any()).item()
    assert per_row
    assert frame.select(ex.any_may_break_text_rules(pl.col("c"))).item()


def test_the_text_gate_stays_shut_on_clean_text():
    frame = pl.DataFrame({"c": ["Renault Korea", "부산광역시", None, "Busan Eco-Cluster Center", "1.5"]})
    assert not frame.select(ex.any_may_break_text_rules(pl.col("c"))).item()
