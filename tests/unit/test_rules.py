"""Table-driven tests of plain rules: school years, dates, names, young specialist, recent courses, indicators."""

from __future__ import annotations

from datetime import date

import pytest

from moc_desktop.services.common import (
    fold,
    normalize_school_year,
    parse_date,
    previous_school_years,
    school_year_of,
    short_fio,
)
from moc_desktop.services.schools import indicator_value_ok, ior_mean
from moc_desktop.services.staff import has_recent_courses, is_young_specialist, split_list


@pytest.mark.parametrize(
    ("d", "year"),
    [
        (date(2025, 9, 1), "2025/2026"),
        (date(2026, 8, 31), "2025/2026"),
        (date(2026, 1, 15), "2025/2026"),
        (date(2026, 9, 1), "2026/2027"),
    ],
)
def test_school_year_starts_on_first_of_september(d, year):
    assert school_year_of(d) == year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024/2025", "2024/2025"),
        ("2024-2025", "2024/2025"),
        ("2024/25", "2024/2025"),
        (" 2024 – 2025 ", "2024/2025"),
        ("2024/2026", None),
        ("2024", None),
        ("", None),
    ],
)
def test_normalize_school_year(text, expected):
    assert normalize_school_year(text) == expected


def test_previous_school_years():
    assert previous_school_years("2025/2026", 3) == ["2023/2024", "2024/2025", "2025/2026"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25.05.2020", date(2020, 5, 25)),
        ("2020-05-25", date(2020, 5, 25)),
        ("", None),
        (None, None),
        (date(2020, 5, 25), date(2020, 5, 25)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("bad", ["32.01.2020", "май 2020", "25/13/2020"])
def test_parse_date_refuses_with_russian_message(bad):
    with pytest.raises(ValueError, match="не дата"):
        parse_date(bad)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Хургунова", "Светлана", "Яковлевна"), "Хургунова С.Я."),
        (("Ткач", "Елена", ""), "Ткач Е."),
        (("Ким", "", ""), "Ким"),
    ],
)
def test_short_fio(parts, expected):
    assert short_fio(*parts) == expected


def test_fold_tolerates_case_yo_spaces_and_quotes():
    assert fold("  МКОУ  «Берёзовская СОШ» ") == fold('мкоу "березовская сош"')


@pytest.mark.parametrize(
    ("exp", "override", "expected"),
    [
        (0, None, True),
        (2, None, True),
        (3, None, False),
        (None, None, False),
        (10, True, True),
        (1, False, False),
    ],
)
def test_young_specialist_is_experience_under_three_years(exp, override, expected):
    assert is_young_specialist(exp, override) is expected


@pytest.mark.parametrize(
    ("ends", "expected"),
    [
        ([date(2023, 11, 25)], True),  # exactly 3 years back
        ([date(2023, 11, 24)], False),
        ([None, date(2026, 3, 1)], True),
        ([date(2027, 1, 1)], False),  # in the future: not yet completed
        ([], False),
    ],
)
def test_recent_courses_window_is_three_years(ends, expected):
    assert has_recent_courses(ends, today=date(2026, 11, 25)) is expected


def test_split_list_accepts_semicolons_and_commas():
    assert split_list("учитель; руководитель ШМО, педагог-психолог") == [
        "учитель",
        "руководитель ШМО",
        "педагог-психолог",
    ]


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("share", 0.379, True),
        ("share", 1.2, False),
        ("percent", 45.2, True),
        ("percent", 101, False),
        ("count", 3, True),
        ("count", 2.5, False),
        ("bool", 1, True),
        ("bool", 2, False),
        ("share", None, True),
    ],
)
def test_indicator_kinds(kind, value, ok):
    assert (indicator_value_ok(kind, value) is None) is ok


def test_ior_mean_as_in_seed_003():
    # seed 003 Table 2: МКОУ «Чемашинская СОШ» 0,472 / 0,473 / 0,406 → 0,450 (the seed prints 0,449, truncated)
    assert ior_mean([0.472, 0.473, 0.406]) == 0.450
    assert ior_mean([]) is None


@pytest.mark.parametrize(
    ("text", "appendix", "resp", "deadline", "expected"),
    [
        ("Утвердить положение", None, "", "", "Утвердить положение."),
        ("Утвердить положение.", 1, "", "", "Утвердить положение (приложение 1)."),
        (
            "Провести семинар",
            None,
            "методист Иванова М.П.",
            "01.06.2020",
            "Провести семинар. Ответственный: методист Иванова М.П., срок: до 01.06.2020.",
        ),
        ("Провести семинар", None, "", "01.06.2020", "Провести семинар. Срок: до 01.06.2020."),
        ("разработать план;", None, "Иванова М.П.", "", "разработать план (ответственный: Иванова М.П.);"),
        ("Руководителям школ:", None, "", "", "Руководителям школ:"),
    ],
)
def test_order_item_text(text, appendix, resp, deadline, expected):
    from moc_desktop.services.docs.orders import item_text

    assert item_text(text, appendix, resp, deadline) == expected


def test_order_item_text_no_double_dot_after_initials():
    from moc_desktop.services.docs.orders import item_text

    assert item_text("Назначить ответственного", None, "методист Моисеева В.Б.") == (
        "Назначить ответственного. Ответственный: методист Моисеева В.Б."
    )
