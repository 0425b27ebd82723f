"""Russian grammar for orders and protocols: names and posts in the case the text needs, and dates.

Where the rules come from
-------------------------
* DOMAIN.md «Documents» and seed 003 (order № 448-од): «назначить … Наталью Анатольевну Пожарницкую,
  директора …», «возложить на …» (the person in the accusative/dative), «(Н.А. Пожарницкая)», signatures
  «И.О. Фамилия», the order date «« 25 » мая 2020 г», approval dates «« 23 » октября 2017 года»,
  ГОСТ Р 7.0.97 dates «25.05.2020» or «25 мая 2020 г.».
* Names are declined by **pytrovich** (a port of the petrovich rules, which know the non-declining surnames:
  female surnames on a consonant — Ким, Шевчук, Гоголь; surnames on -о/-ых/-их — Бондаренко, Черных, Седых;
  foreign ones on a stressed vowel — Дюма, Гюго). The person's gender must be *stored*: it is never guessed here,
  because guessing fails on names such as «Ким Ирина Ли» (the patronymic «Ли» looks like nothing).
* Posts are declined by **pymorphy3** (OpenCorpora dictionary), but only their head: the leading adjectives
  and the first noun («заместитель директора по УВР» → «заместителю директора по УВР»). Declining every word
  gives the classic mistake «заместителю директору».
* Every declined form can be overridden by the user (fields for the genitive, dative and accusative of each person
  and post): an override always wins, because the libraries cannot know every name.

Cases are the string literals ``"nom"`` (unchanged), ``"gen"``, ``"dat"``, ``"acc"``; genders are ``"f"``,
``"m"`` or ``""`` (unknown). Nothing here imports Qt; the morphological dictionary is loaded lazily on the first
post declension (see :func:`_morph`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pymorphy3 import MorphAnalyzer
    from pymorphy3.analyzer import Parse
    from pytrovich import PetrovichDeclinationMaker

Case = Literal["nom", "gen", "dat", "acc"]
Gender = Literal["f", "m", ""]

CASES: tuple[str, ...] = ("nom", "gen", "dat", "acc")
"""The cases documents need: nominative (unchanged), genitive, dative, accusative."""

_OVERRIDABLE = ("gen", "dat", "acc")

# --------------------------------------------------------------------------------------------------- validation


def _check_case(case: str) -> str:
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; expected one of {', '.join(CASES)}")
    return case


def _check_gender(gender: str | None) -> str:
    g = gender or ""
    if g not in ("f", "m", ""):
        raise ValueError(f"unknown gender {gender!r}; expected 'f', 'm' or ''")
    return g


def _override(case: str, value: str | None) -> str | None:
    """A non-blank override for a non-nominative case, stripped; otherwise None."""
    if case == "nom" or value is None:
        return None
    value = value.strip()
    return value or None


# --------------------------------------------------------------------------------------------------------- names

# Particles that stay as they are inside a name part: Turkic patronymic markers («Гасан оглы», «Лейла Гасан кызы»
# — in Russian documents neither the marker nor the father's name before it is declined) and lowercase nobiliary
# particles of surnames («де», «фон», «ван»).
_PATRONYMIC_MARKERS = frozenset({"оглы", "кызы", "улы", "уулу", "гызы", "оглу", "кизи", "огли", "угли"})
_SURNAME_PARTICLES = frozenset(
    {"де", "да", "ди", "дю", "ла", "ле", "ван", "фон", "дер", "дел", "ибн", "бен", "аль"}
)

_maker_lock = threading.Lock()
_maker_instance: PetrovichDeclinationMaker | None = None


def _maker() -> PetrovichDeclinationMaker:
    """The pytrovich declination maker, created on first use (its rules load in ~15 ms)."""
    global _maker_instance
    if _maker_instance is None:
        with _maker_lock:
            if _maker_instance is None:
                from pytrovich import PetrovichDeclinationMaker

                _maker_instance = PetrovichDeclinationMaker()
    return _maker_instance


def _same_capitalisation(original: str, result: str) -> str:
    """pytrovich keeps the stem's letters and appends a lowercase ending; an all-caps input stays all-caps."""
    if len(original) > 1 and original.isupper():
        return result.upper()
    return result


def _decline_part(text: str, part: str, gender: str, case: str) -> str:
    """Decline one name part (``part`` = "last", "first" or "middle") word by word with pytrovich.

    A hyphenated word is split by pytrovich itself (Петрова-Водкина → Петровой-Водкиной, both halves decline).
    A patronymic with «оглы»/«кызы» is returned unchanged (pytrovich has no rule for it; the norm of Russian
    official documents keeps «Гасан оглы» in every case). Lowercase particles («де», «фон») are kept.
    """
    text = " ".join(text.split())
    if not text or case == "nom":
        return text
    if part == "middle" and any(w.lower() in _PATRONYMIC_MARKERS for w in re.split(r"[\s\-]+", text)):
        return text
    from pytrovich import Case as PCase
    from pytrovich import Gender as PGender
    from pytrovich import NamePart

    p_case = {"gen": PCase.GENITIVE, "dat": PCase.DATIVE, "acc": PCase.ACCUSATIVE}[case]
    p_gender = PGender.FEMALE if gender == "f" else PGender.MALE
    p_part = {"last": NamePart.LASTNAME, "first": NamePart.FIRSTNAME, "middle": NamePart.MIDDLENAME}[part]
    words = []
    for word in text.split(" "):
        if word.lower() in _SURNAME_PARTICLES or word.lower() in _PATRONYMIC_MARKERS:
            words.append(word)
            continue
        words.append(_same_capitalisation(word, _maker().make(p_part, p_gender, p_case, word)))
    return " ".join(words)


def _join(*parts: str | None) -> str:
    return " ".join(" ".join((p or "").split()) for p in parts if p and p.strip())


def decline_name(
    last: str,
    first: str,
    middle: str | None,
    gender: str | None,
    case: str,
    overrides: Mapping[str, str | None] | None = None,
) -> str:
    """Full name «Фамилия Имя Отчество» in ``case``.

    «Пожарницкая Наталья Анатольевна», "f", "acc" → «Пожарницкую Наталью Анатольевну» (seed 003: «назначить …
    Наталью Анатольевну Пожарницкую»).

    Rules, in order:

    1. ``overrides[case]`` (keys "gen", "dat", "acc"), when not blank, is returned as typed — the user's
       correction always wins, even when the gender is unknown.
    2. ``case == "nom"`` → the name as stored (extra spaces collapsed).
    3. Unknown gender ("" or None) → the nominative unchanged. The gender is never guessed: pytrovich's detector
       fails on names like «Ким Ирина Ли», and a wrong declension in a signed order is worse than none.
    4. Otherwise every part goes through pytrovich with the stored gender. pytrovich knows the surnames that do
       not decline (female Ким, Шевчук, Гоголь, Цой; Бондаренко, Черных, Седых, Дурново; Дюма, Гюго), double
       surnames (both halves decline), ё (Королёв → Королёва; Пётр → Петра as the norm requires), names in
       -ия (Наталия → Наталии). An empty middle name is simply left out. Patronymics with «оглы»/«кызы» are kept
       as they are. Capitalisation is kept (all-caps stays all-caps).
    """
    case = _check_case(case)
    gender = _check_gender(gender)
    chosen = _override(case, (overrides or {}).get(case))
    if chosen is not None:
        return chosen
    if case == "nom" or not gender:
        return _join(last, first, middle)
    return _join(
        _decline_part(last or "", "last", gender, case),
        _decline_part(first or "", "first", gender, case),
        _decline_part(middle or "", "middle", gender, case),
    )


def initials(first: str | None, middle: str | None = None) -> str:
    """«Наталья», «Анатольевна» → «Н.А.» (no space between initials, as in seed 003 «Н.А. Пожарницкая»).

    A hyphenated first name gives hyphenated initials («Анна-Мария» → «А.-М.»); «оглы»/«кызы» give no initial
    («Гасан оглы» → «Г.»).
    """
    out = []
    for part in (first, middle):
        for word in (part or "").split():
            pieces = [p for p in word.split("-") if p and p.lower() not in _PATRONYMIC_MARKERS]
            if pieces:
                out.append("-".join(f"{p[0].upper()}." for p in pieces))
    return "".join(out)


def short_name(last: str, first: str | None, middle: str | None = None, initials_first: bool = False) -> str:
    """«Фамилия И.О.» (lists, «возложить на …») or, with ``initials_first``, «И.О. Фамилия» (signatures).

    ГОСТ Р 7.0.97 puts the initials before the surname in a signature; seed 003 writes «Н.А. Пожарницкая» there
    and «(Н.А. Пожарницкая)» after an organisation. Without a first name only the surname remains.
    """
    last = " ".join((last or "").split())
    ini = initials(first, middle)
    if not ini:
        return last
    if not last:
        return ini
    return f"{ini} {last}" if initials_first else f"{last} {ini}"


def decline_short_name(
    last: str,
    first: str | None,
    middle: str | None,
    gender: str | None,
    case: str,
    override: str | None = None,
    *,
    initials_before: bool = False,
) -> str:
    """Surname with initials in ``case``: only the surname changes.

    «Пожарницкая Н.А.», "f", "acc" → «Пожарницкую Н.А.» («возложить на Пожарницкую Н.А.»); with
    ``initials_before=True`` → «Н.А. Пожарницкую» (the signature order «И.О. Фамилия», usually nominative).
    ``override`` (the whole short form as the user typed it) wins for a non-nominative case. Unknown gender →
    the surname stays in the nominative (never guessed), as in :func:`decline_name`.
    """
    case = _check_case(case)
    gender = _check_gender(gender)
    chosen = _override(case, override)
    if chosen is not None:
        return chosen
    surname = " ".join((last or "").split())
    if case != "nom" and gender:
        surname = _decline_part(surname, "last", gender, case)
    return short_name(surname, first, middle, initials_first=initials_before)


def _attr(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)


def person_in_case(person_like: Any, case: str) -> str:
    """Full name of an object with ``last_name``, ``first_name``, ``middle_name``, ``gender`` in ``case``.

    Optional attributes ``name_gen``, ``name_dat``, ``name_acc`` are the user's overrides (the future staff
    model has exactly these names); missing attributes count as None. Rules: :func:`decline_name`.
    """
    case = _check_case(case)
    overrides = {c: _attr(person_like, f"name_{c}") for c in _OVERRIDABLE}
    return decline_name(
        _attr(person_like, "last_name") or "",
        _attr(person_like, "first_name") or "",
        _attr(person_like, "middle_name") or "",
        _attr(person_like, "gender") or "",
        case,
        overrides,
    )


def person_short_in_case(person_like: Any, case: str, *, initials_before: bool = False) -> str:
    """«Фамилия И.О.» of a person-like object in ``case`` (only the surname changes).

    When the full-name override ``name_<case>`` is filled and has as many words as the stored name, its leading
    words (as many as the stored surname has) are taken as the declined surname — so one correction by the user
    fixes both the full and the short form. Otherwise :func:`decline_short_name` rules apply.
    """
    case = _check_case(case)
    last = " ".join((_attr(person_like, "last_name") or "").split())
    first = _attr(person_like, "first_name") or ""
    middle = _attr(person_like, "middle_name") or ""
    gender = _attr(person_like, "gender") or ""
    full_override = _override(case, _attr(person_like, f"name_{case}"))
    if full_override is not None and last:
        words = full_override.split()
        stored = _join(last, first, middle).split()
        n_last = len(last.split())
        if len(words) == len(stored):
            return short_name(" ".join(words[:n_last]), first, middle, initials_first=initials_before)
    return decline_short_name(last, first, middle, gender, case, initials_before=initials_before)


# --------------------------------------------------------------------------------------------------------- posts

_morph_lock = threading.Lock()
_morph_instance: MorphAnalyzer | None = None


def _morph() -> MorphAnalyzer:
    """One pymorphy3 analyzer for the process, created on first use (loading the dictionary takes 0.1–0.5 s)."""
    global _morph_instance
    if _morph_instance is None:
        with _morph_lock:
            if _morph_instance is None:
                import pymorphy3

                _morph_instance = pymorphy3.MorphAnalyzer()
    return _morph_instance


_PM_CASE = {"gen": "gent", "dat": "datv", "acc": "accs"}
_ADJ_POS = frozenset({"ADJF", "PRTF"})
_GENDERS = ("masc", "femn", "neut")
_WORD_RE = re.compile(r"[А-Яа-яЁёA-Za-z]+(?:-[А-Яа-яЁёA-Za-z]+)*")
_OPEN_QUOTES = "«„"
_CLOSE_QUOTES = "»”"
# «и.о. директора», «врио директора», «вр.и.о.»: the post after them is already in the genitive and the whole
# phrase does not change («возложить на и.о. директора»).
_ACTING_RE = re.compile(r"^\s*(и\.\s*о\.|вр\.?\s*и\.\s*о\.|врио\b)", re.IGNORECASE)


def _gender_of(tag: Any) -> str | None:
    for g in _GENDERS:
        if g in tag:
            return g
    return None


def _nomn_sing(parses: list[Parse], pos: frozenset[str]) -> list[Parse]:
    return [p for p in parses if p.tag.POS in pos and "nomn" in p.tag and "sing" in p.tag]


def _agrees(adj: Parse, other: list[Parse]) -> bool:
    """Does an adjective parse agree in gender with some nominative-singular noun/adjective parse of the next word?"""
    g = _gender_of(adj.tag)
    for p in other:
        og = _gender_of(p.tag)
        if og == g or ("Ms-f" in p.tag and g in ("masc", "femn")):
            return True
    return False


class _Word:
    """A word of the post's head group, with its nominative-singular noun and adjective readings."""

    def __init__(self, match: re.Match[str]):
        self.match = match
        self.text = match.group(0)
        morph = _morph()
        low = self.text.lower()
        parts = low.split("-")
        self.hyphen_parts = parts if len(parts) > 1 else None
        whole = morph.parse(low)
        self.whole_known = any(p.is_known for p in whole)
        if self.hyphen_parts and not self.whole_known:
            # Compounds like «педагог-психолог»: pymorphy's guess for the whole word may decline only the last
            # half («педагог-психологу»), so each half is analysed on its own.
            part_parses = [morph.parse(p) for p in parts]
            self.part_nouns = [_nomn_sing(pp, frozenset({"NOUN"})) for pp in part_parses]
            last_adj = _nomn_sing(part_parses[-1], _ADJ_POS)
            self.nouns = self.part_nouns[-1]
            self.adjs = last_adj
        else:
            self.part_nouns = None
            self.nouns = _nomn_sing(whole, frozenset({"NOUN"}))
            self.adjs = _nomn_sing(whole, _ADJ_POS)

    @property
    def any(self) -> list[Parse]:
        return self.nouns + self.adjs


def _is_abbreviation(text: str, following: str, all_caps: bool) -> bool:
    """«МКОУ», «ШМО», «ВсОШ», «зам.», «и.о.»: capitals after the first letter, or a dot right after the word.

    In a post typed wholly in capitals («ДИРЕКТОР») a word counts as an abbreviation only when the dictionary does
    not know it or knows it as an abbreviation («ООО»).
    """
    if following.startswith("."):
        return True
    if all_caps:
        parses = _morph().parse(text.lower())
        return not any(p.is_known for p in parses) or any("Abbr" in p.tag for p in parses)
    return any(ch.isupper() for piece in text.split("-") for ch in piece[1:])


def _restore(original: str, result: str) -> str:
    """Copy the capitalisation of ``original`` onto ``result`` (per hyphen part), and drop an «ё» pymorphy added."""
    if "ё" not in original.lower():
        result = result.replace("ё", "е")
    o_parts, r_parts = original.split("-"), result.split("-")
    if len(o_parts) != len(r_parts):
        o_parts, r_parts = [original], [result]
    out = []
    for o, r in zip(o_parts, r_parts, strict=True):
        if len(o) > 1 and o.isupper():
            out.append(r.upper())
        elif o[:1].isupper():
            out.append(r[:1].upper() + r[1:])
        else:
            out.append(r)
    return "-".join(out)


def _best(parses: list[Parse], prefer_anim: bool) -> Parse:
    if prefer_anim:
        anim = [p for p in parses if "anim" in p.tag]
        if anim:
            parses = anim
    known = [p for p in parses if p.is_known]
    return (known or parses)[0]


def _inflect_noun(parse: Parse, case: str) -> str | None:
    """A head noun of a post names a person: the accusative is animate («назначить заместителя»)."""
    grammemes = {_PM_CASE[case]}
    if case == "acc" and "inan" in parse.tag and "masc" in parse.tag:
        grammemes = {"gent"}  # a guessed, inanimate reading of a person noun: animate acc = gen
    form = parse.inflect(grammemes)
    return form.word if form else None


def _inflect_adj(parse: Parse, case: str, animate: bool) -> str | None:
    grammemes = {_PM_CASE[case]}
    # Only masculine singular adjectives have distinct animate accusatives («главного специалиста»); asking
    # pymorphy for «anim» on a feminine adjective would switch it to the masculine («старшего» for «старшая»).
    if case == "acc" and "masc" in parse.tag:
        grammemes.add("anim" if animate else "inan")
    form = parse.inflect(grammemes)
    return form.word if form else None


def _head_words(segment: str) -> list[_Word]:
    """The leading run of words that could be the head group: plain words separated by spaces, each with a
    nominative-singular noun or adjective reading; stops at an abbreviation, a quote, punctuation or a word in
    another case («директора», «математики»). Leading adverbs («временно исполняющий …») are skipped."""
    run: list[_Word] = []
    pos = 0
    all_caps = segment.isupper()
    for match in _WORD_RE.finditer(segment):
        gap = segment[pos : match.start()]
        if gap.strip():
            break
        if _is_abbreviation(match.group(0), segment[match.end() :], all_caps):
            break
        word = _Word(match)
        if not word.any:
            if not run and _morph().parse(match.group(0).lower())[0].tag.POS == "ADVB":
                pos = match.end()
                continue
            break
        run.append(word)
        pos = match.end()
        if len(run) >= 6:
            break
    return run


def _decline_segment(segment: str, case: str, need_person: bool) -> str:
    """Decline the head of one comma-separated part of a post; see :func:`decline_post`."""
    run = _head_words(segment)
    if not run:
        return segment
    adjectives: list[tuple[_Word, Parse]] = []
    head: tuple[_Word, Parse] | None = None
    for i, word in enumerate(run):
        nxt = run[i + 1] if i + 1 < len(run) else None
        agreeing = [a for a in word.adjs if nxt is not None and _agrees(a, nxt.any)]
        if agreeing:
            adjectives.append((word, agreeing[0]))
            continue
        if word.nouns:
            head = (word, _best(word.nouns, prefer_anim=True))
        elif word.adjs and nxt is not None:
            # «главная специалист»: an adjective that does not agree with the noun after it — better leave the
            # text as typed than decline it into «главной специалист»
            return segment
        elif word.adjs:
            # a substantivised adjective/participle: «заведующий хозяйством», «ответственный за …»
            adjectives.append((word, word.adjs[0]))
        break
    if head is None and not adjectives:
        return segment
    if need_person and (head is None or "anim" not in head[1].tag):
        # After a comma only a person noun starts a new post («…, начальник Управления …»); «учитель физики,
        # информатика» or «…, химии» are left alone.
        return segment
    animate = True  # the head names a person, even when pymorphy only guessed an inanimate reading
    replacements: list[tuple[re.Match[str], str]] = []
    for word, parse in adjectives:
        if word.hyphen_parts and not word.whole_known:
            # «учебно-методический»: only the last half of a compound adjective declines
            last = _inflect_adj(parse, case, animate)
            if last is None:
                return segment
            new = "-".join([*word.hyphen_parts[:-1], last])
        else:
            new = _inflect_adj(parse, case, animate)
            if new is None:
                return segment
        replacements.append((word.match, new))
    if head is not None:
        word, parse = head
        if word.hyphen_parts and not word.whole_known and word.part_nouns is not None:
            # «педагог-психолог» → «педагогу-психологу»: every half that is a noun declines; a non-noun prefix
            # («экс-») stays.
            pieces = []
            for piece, nouns in zip(word.hyphen_parts, word.part_nouns, strict=True):
                if nouns:
                    inflected = _inflect_noun(_best(nouns, prefer_anim=True), case)
                    if inflected is None:
                        return segment
                    pieces.append(inflected)
                else:
                    pieces.append(piece)
            new = "-".join(pieces)
        else:
            new = _inflect_noun(parse, case)
            if new is None:
                return segment
        replacements.append((word.match, new))
    out, pos = [], 0
    for match, new in replacements:
        out.append(segment[pos : match.start()])
        out.append(_restore(match.group(0), new))
        pos = match.end()
    out.append(segment[pos:])
    return "".join(out)


def _split_outside_quotes(text: str) -> list[str]:
    """Split at «,» and «;» that are not inside quotes; the separators stay at the end of their parts."""
    parts, start, depth, straight = [], 0, 0, False
    for i, ch in enumerate(text):
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES or (ch == "“" and depth):  # “ closes „…“ and opens “…”
            depth = max(0, depth - 1)
        elif ch == "“":
            depth += 1
        elif ch == '"':
            straight = not straight
        elif ch in ",;" and depth == 0 and not straight:
            parts.append(text[start : i + 1])
            start = i + 1
    parts.append(text[start:])
    return parts


@lru_cache(maxsize=4096)
def _decline_post_cached(post: str, case: str) -> str:
    if _ACTING_RE.match(post):
        return post
    parts = _split_outside_quotes(post)
    return "".join(_decline_segment(part, case, need_person=i > 0) for i, part in enumerate(parts))


def decline_post(post: str, case: str, override: str | None = None) -> str:
    """A post (должность) in ``case``, declining only its head.

    Rules (Russian grammar: in «заместитель директора» only the head noun agrees with the verb; the dependent
    genitive «директора» never changes — pymorphy3 applied word by word gives «заместителю директору»):

    * ``override`` (the form typed by the user), when not blank, wins for a non-nominative case.
    * The leading adjectives/participles and the first noun are declined, the rest is kept as typed:
      «главный специалист отдела образования» → dat «главному специалисту отдела образования»;
      «начальник Управления образования …» → acc «начальника Управления образования …».
    * The accusative is animate (a post names a person): «назначить заместителя директора».
    * Hyphenated compounds decline in both halves: «педагог-психолог» → «педагогу-психологу».
    * Abbreviations («МКОУ», «ШМО», «зам.») and quoted names («Шеркальская СОШ») are never touched and stop the
      head group. «и.о. директора», «врио директора» are already genitive after «и.о.» and stay unchanged;
      «исполняющий обязанности директора» → «исполняющему обязанности директора».
    * Posts are grammatically masculine even for a woman («главному специалисту»): nothing depends on the holder's
      gender; a post typed in the feminine («заведующая библиотекой») keeps its feminine endings.
    * Several posts joined by commas (seed 003: «Заместитель главы по социальным вопросам, начальник Управления …»)
      decline each; after a comma a part declines only when it starts with a person noun, so «учитель физики,
      информатики» stays as typed.
    * The first letter's capitalisation (and all-caps words) are preserved; an «ё» is not added where the user
      wrote «е». If the head cannot be recognised, the post is returned unchanged rather than garbled.
    """
    case = _check_case(case)
    chosen = _override(case, override)
    if chosen is not None:
        return chosen
    if case == "nom" or not post or not post.strip():
        return post or ""
    return _decline_post_cached(post, case)


def post_in_case(post: str, case: str, overrides: Mapping[str, str | None] | None = None) -> str:
    """:func:`decline_post` with the overrides of a post given as a mapping.

    Keys are the cases ("gen", "dat", "acc") or the model-style names ("post_gen", "post_dat", "post_acc");
    a blank value counts as absent.
    """
    case = _check_case(case)
    overrides = overrides or {}
    value = overrides.get(case) or overrides.get(f"post_{case}")
    return decline_post(post, case, value)


# --------------------------------------------------------------------------------------------------------- dates

MONTHS_GENITIVE: tuple[str, ...] = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def month_genitive(month: int) -> str:
    """Month name in the genitive, as dates are written in words: 5 → «мая» (ГОСТ Р 7.0.97, «25 мая 2020 г.»)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    return MONTHS_GENITIVE[month - 1]


def full_date(d: date, *, year_word: str = "г.") -> str:
    """«25 мая 2020 г.» — the verbal-numeric date of ГОСТ Р 7.0.97 (day without a leading zero: «1 июня 2020 г.»).

    ``year_word="года"`` gives the form of approval blocks («23 октября 2017 года», seed 000).
    """
    return f"{d.day} {month_genitive(d.month)} {d.year} {year_word}".rstrip()


def quoted_date(d: date, *, year_word: str = "г.") -> str:
    """«« 25 » мая 2020 г.» — the order header form (seed 003 «« 25 » мая 2020 г»; seed 001 «« 8 » февраля»
    has no leading zero either). ``year_word="года"`` gives «« 23 » октября 2017 года» (seed 000)."""
    return f"« {d.day} » {month_genitive(d.month)} {d.year} {year_word}".rstrip()


def numeric_date(d: date) -> str:
    """«25.05.2020» — the numeric date of ГОСТ Р 7.0.97 (two-digit day and month, four-digit year)."""
    return f"{d.day:02d}.{d.month:02d}.{d.year:04d}"
