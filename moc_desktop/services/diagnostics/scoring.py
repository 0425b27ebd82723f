"""Scoring of the diagnostic card — every rule in one place (seed 003, Приложение 3 and Приложение 2).

* A criterion is scored 2 (оптимальный), 1 (достаточный) or 0 (критический) by each of three raters:
  «Самооценка», «Руководитель ШМО», «Заместитель директора по УВР» (card header of Приложение 3).
* Per rater and per competence: achieved = sum of the scores given, maximum = 2 × number of criteria the rater
  actually scored. **A blank is not a zero**: it leaves the criterion out, so the maximum shrinks (a rater who
  skipped a line is not penalised for it). With every line filled a rater's card maximum is 32 (10, 4, 4, 4, 10).
* Percent = achieved / maximum × 100; no scored criterion → no percent (None), never 0.
* Level (Приложение 2): ОПТИМАЛЬНЫЙ 80–100 %, ДОСТАТОЧНЫЙ 70–79 %, КРИТИЧЕСКИЙ 0–69 %; for fractional percents:
  ≥ 80, 70 ≤ x < 80, < 70.
* Combined (the card's result): the **mean of the percents of the raters present** (those who scored at least one
  criterion of that competence, or of the card for the total); its achieved and maximum are the sums over those
  raters, shown for information. When all raters filled every line this equals the pooled ratio.
* Gap: self-assessment percent minus the mean percent of the external raters present (ШМО, deputy); a large
  positive gap (rating oneself 2 where the deputy gives 0) is a signal.
* Deficit: a criterion an external rater scored 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

RATERS = ("self", "shmo", "deputy")
RATER_TITLES = {"self": "Самооценка", "shmo": "Руководитель ШМО", "deputy": "Заместитель директора по УВР"}
RATER_LETTERS = {"self": "S", "shmo": "H", "deputy": "D"}
EXTERNAL = ("shmo", "deputy")
MAX_SCORE = 2
SCORES = (0, 1, 2)
LEVELS = ("optimal", "sufficient", "critical")
LEVEL_TITLES = {"optimal": "ОПТИМАЛЬНЫЙ", "sufficient": "ДОСТАТОЧНЫЙ", "critical": "КРИТИЧЕСКИЙ"}
LEVEL_COLORS = {"optimal": "#2e7d32", "sufficient": "#f9a825", "critical": "#c62828"}
OPTIMAL_FROM, SUFFICIENT_FROM = 80.0, 70.0
BLANK = "-"

Scores = Mapping[str, Mapping[str, int | None]]  # rater → criterion code → 0/1/2 or None


def level(pct: float | None) -> str | None:
    """ОПТИМАЛЬНЫЙ ≥ 80 %, ДОСТАТОЧНЫЙ 70 ≤ x < 80 %, КРИТИЧЕСКИЙ < 70 % (seed 003, Приложение 2); None → None."""
    if pct is None:
        return None
    if pct >= OPTIMAL_FROM:
        return "optimal"
    if pct >= SUFFICIENT_FROM:
        return "sufficient"
    return "critical"


def percent(achieved: int, maximum: int) -> float | None:
    """achieved / maximum in %, None when nothing was scored (a blank is not a zero)."""
    return None if maximum <= 0 else 100.0 * achieved / maximum


def check_score(value) -> int | None:
    """0, 1, 2 or blank (None, "", "-"); anything else → ValueError with a Russian message."""
    if type(value) is int and 0 <= value <= MAX_SCORE:  # the common case first: it runs millions of times
        return value
    if value is None or (isinstance(value, str) and value.strip() in ("", BLANK)):
        return None
    if not isinstance(value, bool):
        if isinstance(value, int | float) and value in SCORES:
            return int(value)
        if isinstance(value, str) and value.strip() in ("0", "1", "2"):
            return int(value.strip())
    raise ValueError(f"Оценка «{value}» недопустима: только 0, 1, 2 или пусто.")


@dataclass(frozen=True)
class Part:
    achieved: int
    maximum: int
    percent: float | None
    level: str | None

    def as_dict(self) -> dict:
        return {
            "achieved": self.achieved,
            "maximum": self.maximum,
            "percent": _round(self.percent),
            "level": self.level,
        }


def _round(p: float | None) -> float | None:
    return None if p is None else round(p, 1)


def _part(achieved: int, maximum: int) -> Part:
    p = percent(achieved, maximum)
    return Part(achieved, maximum, p, level(p))


@dataclass
class CardScore:
    """Result of one card: per rater and combined, per competence (1..5) and ``"total"``."""

    raters: dict[str, dict[object, Part]] = field(default_factory=dict)
    combined: dict[object, Part] = field(default_factory=dict)
    gap: dict[object, float | None] = field(default_factory=dict)
    deficits: list[str] = field(default_factory=list)

    def as_dict(self, competences: Sequence[int]) -> dict:
        def block(parts: dict[object, Part]) -> dict:
            return {
                "competences": {str(c): parts[c].as_dict() for c in competences},
                "total": parts["total"].as_dict(),
            }

        return {
            "raters": {r: block(p) for r, p in self.raters.items()},
            "combined": block(self.combined),
            "gap_self_minus_external": {str(k): _round(v) for k, v in self.gap.items()},
            "deficits": self.deficits,
        }


def score_card(scores: Scores, criteria: Sequence[tuple[str, int]]) -> CardScore:
    """Score a card. ``criteria`` = [(code, competence number)] of the card's template, in card order."""
    competences = sorted({c for _, c in criteria})
    result = CardScore()
    for rater in RATERS:
        given = scores.get(rater) or {}
        sums = {c: [0, 0] for c in competences}
        for code, comp in criteria:
            v = check_score(given.get(code))
            if v is not None:
                sums[comp][0] += v
                sums[comp][1] += MAX_SCORE
        parts: dict[object, Part] = {c: _part(*sums[c]) for c in competences}
        parts["total"] = _part(sum(a for a, _ in sums.values()), sum(m for _, m in sums.values()))
        result.raters[rater] = parts
    for key in [*competences, "total"]:
        present = [result.raters[r][key] for r in RATERS if result.raters[r][key].maximum > 0]
        if not present:
            result.combined[key] = Part(0, 0, None, None)
            continue
        mean = sum(p.percent for p in present) / len(present)
        result.combined[key] = Part(
            sum(p.achieved for p in present), sum(p.maximum for p in present), mean, level(mean)
        )
        self_pct = result.raters["self"][key].percent
        ext = [result.raters[r][key].percent for r in EXTERNAL if result.raters[r][key].percent is not None]
        result.gap[key] = None if self_pct is None or not ext else self_pct - sum(ext) / len(ext)
    for key in [*competences, "total"]:
        result.gap.setdefault(key, None)
    result.deficits = deficits(scores, [code for code, _ in criteria])
    return result


def deficits(scores: Scores, codes: Sequence[str]) -> list[str]:
    """Criteria an external rater (ШМО or deputy) scored 0 — the teacher's deficits, in card order."""
    out = []
    for code in codes:
        if any(check_score((scores.get(r) or {}).get(code)) == 0 for r in EXTERNAL):
            out.append(code)
    return out


def encode(scores: Scores, codes: Sequence[str]) -> str:
    """Compact storage: for each criterion in card order three characters (self, ШМО, deputy): 0/1/2 or «-»."""
    out = []
    for code in codes:
        for r in RATERS:
            v = check_score((scores.get(r) or {}).get(code))
            out.append(BLANK if v is None else str(v))
    return "".join(out)


def decode(text: str, codes: Sequence[str]) -> dict[str, dict[str, int | None]]:
    """Inverse of :func:`encode` (a short string — an older card — leaves the rest blank)."""
    out: dict[str, dict[str, int | None]] = {r: {} for r in RATERS}
    for i, code in enumerate(codes):
        for j, r in enumerate(RATERS):
            k = i * len(RATERS) + j
            ch = text[k] if k < len(text) else BLANK
            out[r][code] = None if ch == BLANK else int(ch)
    return out


def raters_present(scores: Scores) -> str:
    """Letters of the raters who gave at least one score: «SHD», «SD» …"""
    return "".join(
        RATER_LETTERS[r]
        for r in RATERS
        if any(check_score(v) is not None for v in (scores.get(r) or {}).values())
    )


def is_complete(scores: Scores, codes: Sequence[str]) -> bool:
    """Every rater scored every criterion."""
    return all(check_score((scores.get(r) or {}).get(c)) is not None for r in RATERS for c in codes)


def level_distribution(percents: Sequence[float | None]) -> dict[str, int]:
    """How many of the given percents fall in each level (None is not counted)."""
    out = {lv: 0 for lv in LEVELS}
    for p in percents:
        lv = level(p)
        if lv:
            out[lv] += 1
    return out
