"""Scoring rules of the diagnostic card (``services.diagnostics.scoring``): table-driven cases and properties.

The card of seed 003 (Приложение 3): 16 criteria in 5 competences (5, 2, 2, 2, 5), three raters, scores 0/1/2,
levels ОПТИМАЛЬНЫЙ ≥ 80 %, ДОСТАТОЧНЫЙ 70 ≤ x < 80 %, КРИТИЧЕСКИЙ < 70 % (Приложение 2). No database here.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moc_desktop.services.diagnostics import scoring

PAIRS = [
    *((f"1.{i}", 1) for i in range(1, 6)),
    ("2.1", 2),
    ("2.2", 2),
    ("3.1", 3),
    ("3.2", 3),
    ("4.1", 4),
    ("4.2", 4),
    *((f"5.{i}", 5) for i in range(1, 6)),
]
CODES = [c for c, _ in PAIRS]
COMPETENCES = [1, 2, 3, 4, 5]
RANK = {None: -1, "critical": 0, "sufficient": 1, "optimal": 2}


def every(value, codes=CODES):
    return {c: value for c in codes}


# --- levels, percents, scores ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (None, None),
        (0.0, "critical"),
        (50.0, "critical"),
        (69.99, "critical"),
        (70.0, "sufficient"),
        (75.0, "sufficient"),
        (79.99, "sufficient"),
        (80.0, "optimal"),
        (99.99, "optimal"),
        (100.0, "optimal"),
    ],
)
def test_level_boundaries(pct, expected):
    assert scoring.level(pct) == expected


@pytest.mark.parametrize(
    ("achieved", "maximum", "expected"),
    [(0, 0, None), (0, 2, 0.0), (3, 4, 75.0), (32, 32, 100.0), (7, 10, 70.0)],
)
def test_percent(achieved, maximum, expected):
    assert scoring.percent(achieved, maximum) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (1, 1),
        (2, 2),
        (2.0, 2),
        ("0", 0),
        (" 2 ", 2),
        (None, None),
        ("", None),
        ("  ", None),
        ("-", None),
    ],
)
def test_check_score_accepts(value, expected):
    assert scoring.check_score(value) == expected


@pytest.mark.parametrize("value", [3, -1, 1.5, True, False, "два", "3", "1,5", "2.0", [], {}])
def test_check_score_refuses_in_russian(value):
    with pytest.raises(ValueError, match="только 0, 1, 2 или пусто"):
        scoring.check_score(value)


# --- one card --------------------------------------------------------------------------------------------------


def test_full_card_maximum_is_32_per_rater():
    result = scoring.score_card({r: every(2) for r in scoring.RATERS}, PAIRS)
    for r in scoring.RATERS:
        total = result.raters[r]["total"]
        assert (total.achieved, total.maximum, total.percent, total.level) == (32, 32, 100.0, "optimal")
        assert [result.raters[r][c].maximum for c in COMPETENCES] == [10, 4, 4, 4, 10]
    assert result.combined["total"] == scoring.Part(96, 96, 100.0, "optimal")
    assert result.gap["total"] == 0.0 and result.deficits == []


def test_blanks_shrink_the_maximum_and_are_not_zero():
    result = scoring.score_card({"self": {"1.1": 2, "1.2": 1}}, PAIRS)
    self_ = result.raters["self"]
    assert self_[1] == scoring.Part(3, 4, 75.0, "sufficient")
    assert self_[2] == scoring.Part(0, 0, None, None)
    assert self_["total"] == scoring.Part(3, 4, 75.0, "sufficient")
    assert result.combined["total"].percent == 75.0  # the blank raters are not counted as 0
    zero = scoring.score_card({"self": {"1.1": 2, "1.2": 1, "1.3": 0}}, PAIRS)
    assert zero.raters["self"][1] == scoring.Part(3, 6, 50.0, "critical")  # a 0 does count


def test_all_blank_gives_no_percent_and_no_level():
    result = scoring.score_card({}, PAIRS)
    for key in [*COMPETENCES, "total"]:
        assert result.combined[key] == scoring.Part(0, 0, None, None)
        assert result.gap[key] is None
        for r in scoring.RATERS:
            assert result.raters[r][key].percent is None and result.raters[r][key].level is None
    assert result.deficits == []
    assert (
        scoring.score_card({r: every(None) for r in scoring.RATERS}, PAIRS).combined["total"].percent is None
    )


@pytest.mark.parametrize(
    ("scores", "combined_total", "combined_1"),
    [
        ({"self": every(2), "shmo": every(1)}, 75.0, 75.0),  # deputy absent: mean of two
        ({"self": every(2), "shmo": every(1), "deputy": every(0)}, 50.0, 50.0),
        ({"deputy": every(1)}, 50.0, 50.0),
        # self scored competence 1 only (100 %), ШМО all criteria at 1 (50 %): mean 75, not the pooled 26/42
        ({"self": every(2, CODES[:5]), "shmo": every(1)}, 75.0, 75.0),
        ({"self": every(2, CODES[:5]), "shmo": every(1, CODES[5:])}, 75.0, 100.0),
    ],
)
def test_combined_is_the_mean_of_the_raters_present(scores, combined_total, combined_1):
    result = scoring.score_card(scores, PAIRS)
    assert result.combined["total"].percent == pytest.approx(combined_total)
    assert result.combined[1].percent == pytest.approx(combined_1)
    present = [result.raters[r]["total"] for r in scoring.RATERS if result.raters[r]["total"].maximum]
    assert result.combined["total"].achieved == sum(p.achieved for p in present)
    assert result.combined["total"].maximum == sum(p.maximum for p in present)


@pytest.mark.parametrize(
    ("scores", "gap"),
    [
        ({"self": every(2), "shmo": every(1), "deputy": every(0)}, 75.0),  # 100 − mean(50, 0)
        ({"self": every(1), "deputy": every(2)}, -50.0),
        ({"self": every(2), "shmo": every(2)}, 0.0),
        ({"self": every(2)}, None),  # no external rater
        ({"shmo": every(2), "deputy": every(1)}, None),  # no self-assessment
    ],
)
def test_gap_self_minus_external(scores, gap):
    assert scoring.score_card(scores, PAIRS).gap["total"] == gap


def test_deficits_are_external_zeros_in_card_order():
    scores = {
        "self": {"1.1": 0, "2.1": 0},  # the teacher's own 0 is not a deficit
        "shmo": {"3.2": 0, "1.3": 2},
        "deputy": {"1.3": 0, "5.5": 0, "3.2": 1},
    }
    assert scoring.score_card(scores, PAIRS).deficits == ["1.3", "3.2", "5.5"]
    assert scoring.deficits(scores, CODES) == ["1.3", "3.2", "5.5"]


def test_as_dict_shape():
    d = scoring.score_card({"self": {"1.1": 2, "1.2": 1}, "deputy": {"1.1": 0}}, PAIRS).as_dict(COMPETENCES)
    assert set(d) == {"raters", "combined", "gap_self_minus_external", "deficits"}
    assert set(d["raters"]) == set(scoring.RATERS)
    assert d["raters"]["self"]["competences"]["1"] == {
        "achieved": 3,
        "maximum": 4,
        "percent": 75.0,
        "level": "sufficient",
    }
    assert d["combined"]["total"] == {"achieved": 3, "maximum": 6, "percent": 37.5, "level": "critical"}
    assert d["gap_self_minus_external"]["total"] == 75.0 and d["deficits"] == ["1.1"]


def test_encode_decode_round_trip_and_short_strings():
    scores = {"self": {"1.1": 2, "1.2": 1}, "shmo": {"1.1": 0}, "deputy": {"5.5": 2}}
    text = scoring.encode(scores, CODES)
    assert len(text) == 48 and text[:6] == "20-1--" and text[-3:] == "--2"
    back = scoring.decode(text, CODES)
    assert back["self"]["1.1"] == 2 and back["shmo"]["1.2"] is None and back["deputy"]["5.5"] == 2
    assert scoring.encode(back, CODES) == text
    old = scoring.decode("222", CODES)  # an older, shorter card: the rest is blank
    assert old["self"]["1.1"] == 2 and all(old[r]["1.2"] is None for r in scoring.RATERS)
    with pytest.raises(ValueError):
        scoring.encode({"self": {"1.1": 5}}, CODES)


def test_raters_present_complete_and_distribution():
    assert scoring.raters_present({"self": {"1.1": 0}, "deputy": {"1.1": None, "1.2": 1}}) == "SD"
    assert scoring.raters_present({}) == ""
    assert scoring.is_complete({r: every(0) for r in scoring.RATERS}, CODES)
    assert not scoring.is_complete({r: every(0) for r in scoring.RATERS[:2]}, CODES)
    assert scoring.level_distribution([None, 10, 70, 79.9, 80, 100]) == {
        "optimal": 2,
        "sufficient": 2,
        "critical": 1,
    }


# --- properties ------------------------------------------------------------------------------------------------

score_value = st.one_of(st.none(), st.sampled_from(scoring.SCORES))
rater_scores = st.fixed_dictionaries({}, optional={c: score_value for c in CODES})
cards = st.fixed_dictionaries({}, optional={r: rater_scores for r in scoring.RATERS})


@settings(max_examples=200, deadline=None)
@given(cards)
def test_percent_is_within_0_and_100_and_level_agrees(scores):
    result = scoring.score_card(scores, PAIRS)
    parts = [p for r in scoring.RATERS for p in result.raters[r].values()] + list(result.combined.values())
    for p in parts:
        assert 0 <= p.achieved <= p.maximum
        if p.maximum:
            assert 0.0 <= p.percent <= 100.0 and p.level == scoring.level(p.percent)
        else:
            assert p.percent is None and p.level is None
    for gap in result.gap.values():
        assert gap is None or -100.0 <= gap <= 100.0


@settings(max_examples=200, deadline=None)
@given(cards, st.sampled_from(scoring.RATERS), st.sampled_from(CODES))
def test_raising_one_score_never_lowers_the_raters_percent_or_level(scores, rater, code):
    before = scoring.score_card(scores, PAIRS)
    current = (scores.get(rater) or {}).get(code)
    if current is None or current == scoring.MAX_SCORE:
        return
    raised = {r: dict(v) for r, v in scores.items()}
    raised[rater][code] = current + 1
    after = scoring.score_card(raised, PAIRS)
    comp = dict(PAIRS)[code]
    for key in (comp, "total"):
        b, a = before.raters[rater][key], after.raters[rater][key]
        assert a.maximum == b.maximum and a.achieved == b.achieved + 1
        assert a.percent > b.percent and RANK[a.level] >= RANK[b.level]
        assert RANK[after.combined[key].level] >= RANK[before.combined[key].level]


@settings(max_examples=200, deadline=None)
@given(cards, st.sampled_from(scoring.RATERS), st.sampled_from(CODES))
def test_a_blank_is_not_a_zero(scores, rater, code):
    if (scores.get(rater) or {}).get(code) is not None:
        return
    zeroed = {r: dict(v) for r, v in scores.items()}
    zeroed.setdefault(rater, {})[code] = 0
    before, after = scoring.score_card(scores, PAIRS), scoring.score_card(zeroed, PAIRS)
    comp = dict(PAIRS)[code]
    for key in (comp, "total"):
        b, a = before.raters[rater][key], after.raters[rater][key]
        assert a.maximum == b.maximum + 2 and a.achieved == b.achieved
        if b.percent is None:
            assert a.percent == 0.0 and a.level == "critical"
        else:
            assert a.percent <= b.percent
            assert a.percent < b.percent or b.achieved == 0


@settings(max_examples=200, deadline=None)
@given(cards)
def test_encode_then_decode_is_the_identity(scores):
    text = scoring.encode(scores, CODES)
    assert len(text) == 3 * len(CODES) and set(text) <= set("012-")
    back = scoring.decode(text, CODES)
    for r in scoring.RATERS:
        for c in CODES:
            assert back[r][c] == (scores.get(r) or {}).get(c)
    assert scoring.score_card(back, PAIRS) == scoring.score_card(scores, PAIRS)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="012-", min_size=48, max_size=48))
def test_decode_then_encode_is_the_identity(text):
    assert scoring.encode(scoring.decode(text, CODES), CODES) == text
