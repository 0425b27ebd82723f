"""Table-driven tests of the Russian grammar used in orders and protocols (services/docs/grammar.py).

Expected forms follow the norms of Russian official documents (DOMAIN.md «Documents», seed 003 order № 448-од):
names by the petrovich rules with the stored gender, posts declined in the head only, dates per ГОСТ Р 7.0.97.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from types import SimpleNamespace

import pytest

from moc_desktop.services.docs.grammar import (
    MONTHS_GENITIVE,
    decline_name,
    decline_post,
    decline_short_name,
    full_date,
    initials,
    month_genitive,
    numeric_date,
    person_in_case,
    person_short_in_case,
    post_in_case,
    quoted_date,
    short_name,
)

# ------------------------------------------------------------------------------------------------------ full names

NAMES = [
    # (last, first, middle, gender, case, expected)
    ("Пожарницкая", "Наталья", "Анатольевна", "f", "acc", "Пожарницкую Наталью Анатольевну"),
    ("Пожарницкая", "Наталья", "Анатольевна", "f", "gen", "Пожарницкой Натальи Анатольевны"),
    ("Пожарницкая", "Наталья", "Анатольевна", "f", "dat", "Пожарницкой Наталье Анатольевне"),
    ("Пожарницкая", "Наталья", "Анатольевна", "f", "nom", "Пожарницкая Наталья Анатольевна"),
    ("Попова", "Наталья", "Сергеевна", "f", "dat", "Поповой Наталье Сергеевне"),
    ("Габдулисманова", "Светлана", "Николаевна", "f", "acc", "Габдулисманову Светлану Николаевну"),
    ("Иванов", "Сергей", "Петрович", "m", "gen", "Иванова Сергея Петровича"),
    ("Иванов", "Сергей", "Петрович", "m", "dat", "Иванову Сергею Петровичу"),
    ("Иванов", "Сергей", "Петрович", "m", "acc", "Иванова Сергея Петровича"),
    ("Толстая", "Татьяна", "Никитична", "f", "acc", "Толстую Татьяну Никитичну"),
    ("Кривой", "Пётр", "Ильич", "m", "dat", "Кривому Петру Ильичу"),
    ("Глинка", "Михаил", "Иванович", "m", "gen", "Глинки Михаила Ивановича"),
    ("Сыч", "Иван", "Петрович", "m", "dat", "Сычу Ивану Петровичу"),
    # surnames that do not decline
    ("Ким", "Ирина", "Ли", "f", "acc", "Ким Ирину Ли"),
    ("Ким", "Олег", "Ли", "m", "dat", "Киму Олегу Ли"),  # a man's surname on a consonant declines
    ("Цой", "Анна", "Робертовна", "f", "gen", "Цой Анны Робертовны"),
    ("Цой", "Виктор", "Робертович", "m", "gen", "Цоя Виктора Робертовича"),
    ("Шевчук", "Ольга", "Ивановна", "f", "dat", "Шевчук Ольге Ивановне"),
    ("Шевчук", "Юрий", "Юлианович", "m", "dat", "Шевчуку Юрию Юлиановичу"),
    ("Сыч", "Наталья", "Александровна", "f", "acc", "Сыч Наталью Александровну"),
    ("Бондарь", "Елена", "Павловна", "f", "gen", "Бондарь Елены Павловны"),
    ("Гоголь", "Анна", "Васильевна", "f", "dat", "Гоголь Анне Васильевне"),
    ("Бондаренко", "Иван", "Петрович", "m", "dat", "Бондаренко Ивану Петровичу"),
    ("Нестеренко", "Оксана", "Ивановна", "f", "acc", "Нестеренко Оксану Ивановну"),
    ("Черных", "Мария", "Ивановна", "f", "dat", "Черных Марии Ивановне"),
    ("Седых", "Пётр", "Ильич", "m", "gen", "Седых Петра Ильича"),
    ("Дурново", "Пётр", "Иванович", "m", "dat", "Дурново Петру Ивановичу"),
    ("Дюма", "Александр", "", "m", "gen", "Дюма Александра"),
    ("Гюго", "Виктор", "", "m", "dat", "Гюго Виктору"),
    # double surnames: both halves decline
    ("Петрова-Водкина", "Анна", "Сергеевна", "f", "acc", "Петрову-Водкину Анну Сергеевну"),
    ("Петров-Водкин", "Кузьма", "Сергеевич", "m", "dat", "Петрову-Водкину Кузьме Сергеевичу"),
    ("Римская-Корсакова", "Анна", "", "f", "gen", "Римской-Корсаковой Анны"),
    ("Бонч-Бруевич", "Владимир", "Дмитриевич", "m", "gen", "Бонч-Бруевича Владимира Дмитриевича"),
    # patronymics with оглы / кызы stay as they are
    ("Алиев", "Рашид", "Гасан оглы", "m", "dat", "Алиеву Рашиду Гасан оглы"),
    ("Алиева", "Лейла", "Гасан кызы", "f", "acc", "Алиеву Лейлу Гасан кызы"),
    ("Алиев", "Рашид", "Гасан-оглы", "m", "gen", "Алиева Рашида Гасан-оглы"),
    # empty middle name, ё, names in -ия / -ь, particles, capitals
    ("Смирнова", "Ольга", "", "f", "dat", "Смирновой Ольге"),
    ("Смирнова", "Ольга", None, "f", "gen", "Смирновой Ольги"),
    ("Королёв", "Сергей", "Павлович", "m", "dat", "Королёву Сергею Павловичу"),
    ("Артёмова", "Алёна", "Фёдоровна", "f", "gen", "Артёмовой Алёны Фёдоровны"),
    ("Ильина", "Наталия", "Никитична", "f", "dat", "Ильиной Наталии Никитичне"),
    ("Гурьева", "Любовь", "Ильинична", "f", "acc", "Гурьеву Любовь Ильиничну"),
    ("Сергеев", "Лев", "Николаевич", "m", "gen", "Сергеева Льва Николаевича"),
    ("Кузьмич", "Илья", "Ильич", "m", "acc", "Кузьмича Илью Ильича"),
    ("де Голль", "Шарль", "", "m", "dat", "де Голлю Шарлю"),
    ("ПОЖАРНИЦКАЯ", "НАТАЛЬЯ", "АНАТОЛЬЕВНА", "f", "dat", "ПОЖАРНИЦКОЙ НАТАЛЬЕ АНАТОЛЬЕВНЕ"),
    ("  Пожарницкая ", "Наталья", "  Анатольевна", "f", "nom", "Пожарницкая Наталья Анатольевна"),
]


@pytest.mark.parametrize(("last", "first", "middle", "gender", "case", "expected"), NAMES)
def test_decline_name(last, first, middle, gender, case, expected):
    assert decline_name(last, first, middle, gender, case) == expected


@pytest.mark.parametrize("case", ["gen", "dat", "acc", "nom"])
@pytest.mark.parametrize("gender", ["", None])
def test_unknown_gender_is_never_guessed(case, gender):
    assert decline_name("Ким", "Ирина", "Ли", gender, case) == "Ким Ирина Ли"
    assert (
        decline_name("Пожарницкая", "Наталья", "Анатольевна", gender, case)
        == "Пожарницкая Наталья Анатольевна"
    )


@pytest.mark.parametrize(
    ("gender", "case", "overrides", "expected"),
    [
        ("f", "acc", {"acc": "Пожарницкую Наталию Анатольевну"}, "Пожарницкую Наталию Анатольевну"),
        ("", "dat", {"dat": "Ким Ирине Ли"}, "Ким Ирине Ли"),  # an override works without a gender too
        ("f", "dat", {"acc": "X"}, "Пожарницкой Наталье Анатольевне"),  # another case's override is ignored
        ("f", "gen", {"gen": "   "}, "Пожарницкой Натальи Анатольевны"),  # blank = absent
        ("f", "gen", {"gen": None}, "Пожарницкой Натальи Анатольевны"),
        ("f", "nom", {"nom": "X", "acc": "Y"}, "Пожарницкая Наталья Анатольевна"),  # nominative is as stored
    ],
)
def test_name_override_wins(gender, case, overrides, expected):
    assert decline_name("Пожарницкая", "Наталья", "Анатольевна", gender, case, overrides) == expected


def test_library_mistake_is_fixed_by_an_override():
    # petrovich drops the fluent vowel of -нец («Кузнца»); the norm for surnames keeps it — the user overrides.
    assert decline_name("Кузнец", "Олег", "", "m", "gen") == "Кузнца Олега"
    assert decline_name("Кузнец", "Олег", "", "m", "gen", {"gen": "Кузнеца Олега"}) == "Кузнеца Олега"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: decline_name("Иванов", "Иван", "", "m", "ins"), "unknown case"),
        (lambda: decline_name("Иванов", "Иван", "", "male", "gen"), "unknown gender"),
        (lambda: decline_post("методист", "prep"), "unknown case"),
        (lambda: month_genitive(13), "month"),
        (lambda: month_genitive(0), "month"),
    ],
)
def test_bad_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------------------------------------ initials forms

SHORT = [
    # (last, first, middle, gender, case, initials_before, expected)
    ("Пожарницкая", "Наталья", "Анатольевна", "f", "acc", False, "Пожарницкую Н.А."),
    ("Пожарницкая", "Наталья", "Анатольевна", "f", "dat", False, "Пожарницкой Н.А."),
    ("Пожарницкая", "Наталья", "Анатольевна", "f", "dat", True, "Н.А. Пожарницкой"),
    ("Пожарницкая", "Наталья", "Анатольевна", "f", "nom", True, "Н.А. Пожарницкая"),
    ("Иванов", "Сергей", "Петрович", "m", "acc", False, "Иванова С.П."),
    ("Ким", "Ирина", "Ли", "f", "acc", False, "Ким И.Л."),
    ("Петрова-Водкина", "Анна", "", "f", "gen", False, "Петровой-Водкиной А."),
    ("Алиев", "Рашид", "Гасан оглы", "m", "dat", True, "Р.Г. Алиеву"),
    ("Пожарницкая", "Наталья", "Анатольевна", "", "acc", False, "Пожарницкая Н.А."),  # unknown gender
    ("Сидорова", "", "", "f", "gen", False, "Сидоровой"),
]


@pytest.mark.parametrize(("last", "first", "middle", "gender", "case", "before", "expected"), SHORT)
def test_decline_short_name(last, first, middle, gender, case, before, expected):
    assert decline_short_name(last, first, middle, gender, case, initials_before=before) == expected


def test_short_name_override_wins():
    assert decline_short_name("Кузнец", "Олег", "Ильич", "m", "dat", "Кузнецу О.И.") == "Кузнецу О.И."
    assert decline_short_name("Кузнец", "Олег", "Ильич", "m", "nom", "Кузнецу О.И.") == "Кузнец О.И."


@pytest.mark.parametrize(
    ("last", "first", "middle", "initials_first", "expected"),
    [
        ("Пожарницкая", "Наталья", "Анатольевна", False, "Пожарницкая Н.А."),
        ("Пожарницкая", "Наталья", "Анатольевна", True, "Н.А. Пожарницкая"),
        ("Смирнова", "Ольга", "", False, "Смирнова О."),
        ("Смирнова", "ольга", None, True, "О. Смирнова"),
        ("Смирнова", "", "", True, "Смирнова"),
        ("Дюма", "Анна-Мария", "", False, "Дюма А.-М."),
    ],
)
def test_short_name(last, first, middle, initials_first, expected):
    assert short_name(last, first, middle, initials_first=initials_first) == expected


@pytest.mark.parametrize(
    ("first", "middle", "expected"),
    [
        ("Наталья", "Анатольевна", "Н.А."),
        ("Рашид", "Гасан-оглы", "Р.Г."),
        ("Лейла", "Гасан кызы", "Л.Г."),
        ("", "", ""),
    ],
)
def test_initials(first, middle, expected):
    assert initials(first, middle) == expected


# --------------------------------------------------------------------------------------------------------- posts

POSTS = [
    # (post, case, expected)
    ("заместитель директора по УВР", "dat", "заместителю директора по УВР"),
    ("заместитель директора по УВР", "gen", "заместителя директора по УВР"),
    ("заместитель директора по УВР", "acc", "заместителя директора по УВР"),
    ("заместитель директора по ВР", "dat", "заместителю директора по ВР"),
    ("главный специалист отдела образования", "dat", "главному специалисту отдела образования"),
    ("главный специалист отдела образования", "acc", "главного специалиста отдела образования"),
    (
        "начальник Управления образования и молодежной политики",
        "acc",
        "начальника Управления образования и молодежной политики",
    ),
    ("учитель математики", "dat", "учителю математики"),
    ("учитель", "dat", "учителю"),
    ("учитель", "acc", "учителя"),
    ("педагог-психолог", "dat", "педагогу-психологу"),
    ("педагог-психолог", "acc", "педагога-психолога"),
    ("учитель-логопед", "gen", "учителя-логопеда"),
    ("директор МКОУ «Шеркальская СОШ»", "dat", "директору МКОУ «Шеркальская СОШ»"),
    ("директор МКОУ «Шеркальская СОШ»", "gen", "директора МКОУ «Шеркальская СОШ»"),
    ("и.о. директора", "dat", "и.о. директора"),
    ("И. о. директора МКОУ «Шеркальская СОШ»", "acc", "И. о. директора МКОУ «Шеркальская СОШ»"),
    ("врио директора", "dat", "врио директора"),
    ("зам. директора по УВР", "dat", "зам. директора по УВР"),
    ("исполняющий обязанности директора", "dat", "исполняющему обязанности директора"),
    ("временно исполняющая обязанности директора", "acc", "временно исполняющую обязанности директора"),
    ("методист", "dat", "методисту"),
    ("методист по УВР", "gen", "методиста по УВР"),
    ("руководитель ШМО учителей начальных классов", "dat", "руководителю ШМО учителей начальных классов"),
    ("социальный педагог", "dat", "социальному педагогу"),
    ("социальный педагог", "acc", "социального педагога"),
    ("старший методист", "dat", "старшему методисту"),
    ("старший методист", "acc", "старшего методиста"),
    ("ведущий специалист", "gen", "ведущего специалиста"),
    ("учёный секретарь", "dat", "учёному секретарю"),
    ("ученый секретарь", "dat", "ученому секретарю"),  # no «ё» added where the user wrote «е»
    ("начальник отдела", "gen", "начальника отдела"),
    ("заведующий хозяйством", "dat", "заведующему хозяйством"),
    ("заведующая библиотекой", "acc", "заведующую библиотекой"),
    ("старшая вожатая", "acc", "старшую вожатую"),  # feminine stays feminine
    ("главный специалист-эксперт", "dat", "главному специалисту-эксперту"),
    ("советник директора по воспитанию", "dat", "советнику директора по воспитанию"),
    ("тьютор", "acc", "тьютора"),  # unknown to the dictionary, still an animate accusative
    ("Заместитель директора по УВР", "dat", "Заместителю директора по УВР"),
    ("Педагог-психолог", "gen", "Педагога-психолога"),
    ("ДИРЕКТОР", "dat", "ДИРЕКТОРУ"),
    (
        "Заместитель главы по социальным вопросам, начальник Управления образования",
        "dat",
        "Заместителю главы по социальным вопросам, начальнику Управления образования",
    ),
    ("учитель физики, информатики", "dat", "учителю физики, информатики"),
    (
        "учитель начальных классов, классный руководитель",
        "acc",
        "учителя начальных классов, классного руководителя",
    ),
    (
        "директор МКУ «Центр развития образования, науки»",
        "dat",
        "директору МКУ «Центр развития образования, науки»",
    ),
    ("главная специалист", "dat", "главная специалист"),  # no agreement: left as typed, not garbled
    ("научно-методический руководитель", "dat", "научно-методическому руководителю"),
    ("методист", "nom", "методист"),
    ("", "dat", ""),
]


@pytest.mark.parametrize(("post", "case", "expected"), POSTS)
def test_decline_post(post, case, expected):
    assert decline_post(post, case) == expected


def test_post_override_wins():
    assert decline_post("педагог-психолог", "dat", "педагогу-психологу МКОУ") == "педагогу-психологу МКОУ"
    assert decline_post("педагог-психолог", "dat", "  ") == "педагогу-психологу"
    assert decline_post("педагог-психолог", "nom", "X") == "педагог-психолог"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "заместителю директора по УВР"),
        (None, "заместителю директора по УВР"),
        ({"dat": "заместителю директора по учебной работе"}, "заместителю директора по учебной работе"),
        ({"post_dat": "заместителю директора по УР"}, "заместителю директора по УР"),
        ({"gen": "X"}, "заместителю директора по УВР"),
    ],
)
def test_post_in_case(overrides, expected):
    assert post_in_case("заместитель директора по УВР", "dat", overrides) == expected


# ------------------------------------------------------------------------------------------------ person objects


def test_person_in_case_with_and_without_overrides():
    p = SimpleNamespace(last_name="Пожарницкая", first_name="Наталья", middle_name="Анатольевна", gender="f")
    assert person_in_case(p, "acc") == "Пожарницкую Наталью Анатольевну"
    assert person_in_case(p, "nom") == "Пожарницкая Наталья Анатольевна"
    p.name_dat = "Пожарницкой Наталии Анатольевне"
    assert person_in_case(p, "dat") == "Пожарницкой Наталии Анатольевне"
    assert person_in_case(p, "gen") == "Пожарницкой Натальи Анатольевны"


def test_person_in_case_missing_attributes_are_none():
    p = SimpleNamespace(last_name="Ким", first_name="Ирина")  # no middle name, no gender
    assert person_in_case(p, "dat") == "Ким Ирина"


def test_person_short_in_case_takes_the_surname_from_the_override():
    p = SimpleNamespace(
        last_name="Кузнец",
        first_name="Олег",
        middle_name="Ильич",
        gender="m",
        name_gen="Кузнеца Олега Ильича",
    )
    assert person_short_in_case(p, "gen") == "Кузнеца О.И."
    assert person_short_in_case(p, "dat") == "Кузнцу О.И."  # no override: pytrovich (see the test above)
    assert person_short_in_case(p, "nom", initials_before=True) == "О.И. Кузнец"
    q = SimpleNamespace(last_name="Пожарницкая", first_name="Наталья", middle_name="Анатольевна", gender="f")
    assert person_short_in_case(q, "acc") == "Пожарницкую Н.А."


# --------------------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("d", "full", "quoted", "numeric"),
    [
        (date(2020, 5, 25), "25 мая 2020 г.", "« 25 » мая 2020 г.", "25.05.2020"),
        (date(2020, 6, 1), "1 июня 2020 г.", "« 1 » июня 2020 г.", "01.06.2020"),
        (date(2019, 12, 31), "31 декабря 2019 г.", "« 31 » декабря 2019 г.", "31.12.2019"),
        (date(2024, 2, 29), "29 февраля 2024 г.", "« 29 » февраля 2024 г.", "29.02.2024"),
        (datetime(2017, 10, 23, 15, 30), "23 октября 2017 г.", "« 23 » октября 2017 г.", "23.10.2017"),
    ],
)
def test_dates(d, full, quoted, numeric):
    assert full_date(d) == full
    assert quoted_date(d) == quoted
    assert numeric_date(d) == numeric


def test_year_word_variants():
    assert quoted_date(date(2017, 10, 23), year_word="года") == "« 23 » октября 2017 года"
    assert full_date(date(2020, 5, 25), year_word="года") == "25 мая 2020 года"
    assert full_date(date(2020, 5, 25), year_word="") == "25 мая 2020"


@pytest.mark.parametrize(
    ("month", "name"),
    list(
        enumerate(
            [
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
            ],
            start=1,
        )
    ),
)
def test_month_genitive(month, name):
    assert month_genitive(month) == name
    assert MONTHS_GENITIVE[month - 1] == name
    assert full_date(date(2021, month, 1)) == f"1 {name} 2021 г."


# ------------------------------------------------------------------------------------------------- import hygiene


def test_import_loads_neither_the_dictionary_nor_qt():
    code = (
        "import sys; import moc_desktop.services.docs.grammar as g; "
        "assert g._morph_instance is None; "
        "assert 'pymorphy3' not in sys.modules, 'pymorphy3 imported eagerly'; "
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)
