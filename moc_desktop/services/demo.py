"""Demonstration data: a believable invented municipality («Северный район») written through the ORM.

``generate_demo(factory, scale="S")`` fills an empty database with schools (names, contacts, contingent), their
statuses over three school years (ШНОР with sub-labels, ШНСУ, school-«наставник» pairs, «школа роста», consulting
centre…), ИОР for three calendar years, monitoring and staff-quality indicators (the latter computed from the
generated staff), SWOT of low-result schools, and pedagogical staff with moves between schools and courses (КПК).
Domain: ../DOMAIN «Who and what», «School statuses», «Staff»; seed 003 Tables 1–3, 13–16.

Everything is written in ONE transaction through the session factory, so the change log (a ``before_flush``
listener, ``db.changes``) gets one «insert» row per created record; a cancel or an error rolls everything back.

Extending: the generator is a list of steps (:data:`STEPS`) sharing a :class:`DemoContext` (session, random
generator, schools, persons, scale parameters). A later capability adds its records by appending a step and, if
it needs sizes, its own keys to :data:`SCALES`::

    from moc_desktop.services import demo

    demo.SCALES["S"]["diag_cards"] = 60
    demo.SCALES["L"]["diag_cards"] = 1500

    @demo.register_step("Диагностические карты", weight=0.1)
    def _cards(ctx: demo.DemoContext) -> None:
        for p in ctx.persons[: ctx.scale["diag_cards"]]:
            ctx.add(DiagCard(person=p.obj, ...))

Each step gets its own random generator seeded from ``(seed, step title)``, so adding a step never changes what
the earlier steps produce. Deterministic: the same ``seed`` and ``today`` give the same names and values
(record uuids stay random so two demo bases never clash on sync).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import (
    ChangeLog,
    Course,
    Person,
    RefIndicator,
    School,
    SchoolIndicator,
    SchoolIor,
    SchoolStatus,
    Setting,
    StaffMove,
    SwotItem,
)
from moc_desktop.services.common import current_school_year, fold, previous_school_years
from moc_desktop.services.schools import SHNOR_SUB_LABELS, SWOT_QUADRANTS

__all__ = [
    "SCALES",
    "STEPS",
    "DemoCancelled",
    "DemoContext",
    "DemoPerson",
    "DemoRefused",
    "DemoSchool",
    "DemoStep",
    "DemoSummary",
    "generate_demo",
    "register_step",
]

# --- public configuration ----------------------------------------------------------------------------------

#: Scale → sizes. Later capabilities add their own keys (cards, sessions, events…) to every scale.
SCALES: dict[str, dict[str, int]] = {
    "S": {"schools": 12, "staff": 300},
    "L": {"schools": 120, "staff": 6000},
}

#: Objects added before the session is flushed (the change log rows are written at each flush).
FLUSH_EVERY = 2500

#: The invented municipality. Settings of the installation are filled from it when they are still empty.
DISTRICT = "Северный район"
DISTRICT_GEN = "Северного района"
REGION = "Таёжный автономный округ"
CENTRE = ("г.", "Приозёрск", "Приозёрская")
CENTRE_LYCEUM = "Приозёрский лицей"
PHONE_CODE = "34678"
DEMO_SETTINGS = {
    "moc_name": f"МКУ «Центр развития образования {DISTRICT_GEN}»",
    "municipality": DISTRICT,
    "region": REGION,
    "uo_full_name": f"Управление образования администрации {DISTRICT_GEN}",
    "uo_head_post": "Начальник Управления образования",
    "uo_head_name": "Л.В. Соболева",
    "place": "г. Приозёрск",
    "order_suffix": "-од",
}


class DemoRefused(Exception):
    """The database is not empty; the message is for the user (Russian)."""


class DemoCancelled(Exception):
    """The user cancelled; nothing was written."""

    def __init__(self, message: str = "Создание демонстрационных данных отменено."):
        super().__init__(message)


# --- reference lists (invented; names follow Russian usage) --------------------------------------------------

#: (type, settlement, adjective for the school name). Invented names, none taken from the seeds.
SETTLEMENTS: tuple[tuple[str, str, str], ...] = (
    ("с.", "Берёзово", "Берёзовская"),
    ("п.", "Кедровый", "Кедровская"),
    ("с.", "Сосновка", "Сосновская"),
    ("д.", "Еловка", "Еловская"),
    ("с.", "Рябиновка", "Рябиновская"),
    ("с.", "Калиновка", "Калиновская"),
    ("д.", "Ольховка", "Ольховская"),
    ("с.", "Клёново", "Клёновская"),
    ("п.", "Светлый", "Светлинская"),
    ("п.", "Лесной", "Лесновская"),
    ("с.", "Озёрки", "Озёрская"),
    ("с.", "Заречное", "Зареченская"),
    ("п.", "Брусничный", "Брусничная"),
    ("с.", "Черёмухово", "Черёмуховская"),
    ("с.", "Глухариное", "Глухаринская"),
    ("п.", "Таёжный", "Таёжная"),
    ("с.", "Белоключье", "Белоключевская"),
    ("с.", "Кузьминка", "Кузьминская"),
    ("д.", "Малиновка", "Малиновская"),
    ("с.", "Морошкино", "Морошкинская"),
    ("п.", "Сосновый Бор", "Сосновоборская"),
    ("с.", "Ключи", "Ключевская"),
    ("с.", "Вишнёвка", "Вишнёвская"),
    ("с.", "Липовка", "Липовская"),
    ("д.", "Журавлёво", "Журавлёвская"),
    ("с.", "Лебяжье", "Лебяжинская"),
    ("п.", "Снежный", "Снежнинская"),
    ("с.", "Горностаево", "Горностаевская"),
    ("с.", "Соболево", "Соболевская"),
    ("д.", "Лосиное", "Лосинская"),
    ("с.", "Куньино", "Куньинская"),
    ("п.", "Речной", "Речнинская"),
    ("с.", "Высокий Яр", "Высокоярская"),
    ("с.", "Осиновка", "Осиновская"),
    ("д.", "Пихтовка", "Пихтовская"),
    ("с.", "Лиственное", "Лиственская"),
    ("п.", "Тополиный", "Тополинская"),
    ("с.", "Камышово", "Камышовская"),
    ("с.", "Гусиное", "Гусинская"),
    ("с.", "Верхние Ключи", "Верхнеключевская"),
    ("с.", "Нижнее Берёзово", "Нижнеберёзовская"),
    ("с.", "Новоозёрное", "Новоозёрская"),
    ("п.", "Солнечный", "Солнечная"),
    ("с.", "Зелёный Дол", "Зеленодольская"),
    ("с.", "Каменка", "Каменская"),
    ("с.", "Ягодное", "Ягоднинская"),
    ("п.", "Рассветный", "Рассветовская"),
    ("с.", "Орлово", "Орловская"),
    ("с.", "Синегорье", "Синегорская"),
    ("с.", "Щучье", "Щучинская"),
    ("с.", "Налимово", "Налимовская"),
    ("п.", "Мирный", "Мирнинская"),
    ("с.", "Тёплый Ключ", "Теплоключевская"),
    ("с.", "Крутоярово", "Крутояровская"),
    ("п.", "Звёздный", "Звёздная"),
    ("с.", "Быстрянка", "Быстрянская"),
    ("д.", "Ёлкино", "Ёлкинская"),
    ("с.", "Васильково", "Васильковская"),
    ("с.", "Подгорное", "Подгорненская"),
    ("с.", "Луговое", "Луговская"),
    ("п.", "Ясный", "Яснинская"),
)
STREETS = (
    "Школьная",
    "Центральная",
    "Советская",
    "Молодёжная",
    "Лесная",
    "Набережная",
    "Мира",
    "Гагарина",
    "Почтовая",
    "Кедровая",
    "Новая",
    "Северная",
)
#: Honorifics («Имя в наименовании»): invented local figures plus a few classics.
HONORIFICS = (
    "им. Героя Советского Союза Н.А. Груздева",
    "им. А.С. Пушкина",
    "им. заслуженного учителя РСФСР М.И. Соболевой",
    "им. Героя Российской Федерации С.В. Кузьмина",
    "им. И.Г. Сомова",
    "им. почётного гражданина Северного района П.Е. Белова",
    "им. Героя Социалистического Труда А.Ф. Ерёмина",
    "им. М.В. Ломоносова",
    "им. Ю.А. Гагарина",
    "им. В.П. Тихонравова",
    "им. Героя Советского Союза Г.С. Кедрова",
    "им. Л.Н. Толстого",
)
FORMS = {
    "МБОУ": "Муниципальное бюджетное общеобразовательное учреждение",
    "МКОУ": "Муниципальное казённое общеобразовательное учреждение",
    "МАОУ": "Муниципальное автономное общеобразовательное учреждение",
}
KIND_NAMES = {  # kind → (short, full)
    "sosh": ("СОШ", "средняя общеобразовательная школа"),
    "oosh": ("ООШ", "основная общеобразовательная школа"),
}

FEMALE_FIRST = {
    "old": (
        "Галина",
        "Людмила",
        "Надежда",
        "Любовь",
        "Валентина",
        "Нина",
        "Тамара",
        "Раиса",
        "Лидия",
        "Зоя",
        "Вера",
        "Лариса",
        "Татьяна",
        "Ольга",
        "Наталья",
        "Ирина",
        "Светлана",
        "Елена",
    ),
    "mid": (
        "Елена",
        "Ольга",
        "Татьяна",
        "Наталья",
        "Ирина",
        "Светлана",
        "Марина",
        "Оксана",
        "Юлия",
        "Екатерина",
        "Анна",
        "Мария",
        "Евгения",
        "Жанна",
        "Лариса",
        "Олеся",
        "Инна",
        "Эльвира",
    ),
    "young": (
        "Анастасия",
        "Дарья",
        "Ксения",
        "Виктория",
        "Александра",
        "Полина",
        "Кристина",
        "Яна",
        "Алина",
        "Алёна",
        "Екатерина",
        "Анна",
        "Мария",
        "Валерия",
        "Софья",
        "Юлия",
        "Ангелина",
        "Диана",
    ),
}
MALE_FIRST = {
    "old": (
        "Александр",
        "Сергей",
        "Владимир",
        "Николай",
        "Виктор",
        "Юрий",
        "Анатолий",
        "Василий",
        "Геннадий",
        "Валерий",
        "Борис",
        "Пётр",
        "Михаил",
        "Леонид",
        "Григорий",
        "Иван",
    ),
    "mid": (
        "Алексей",
        "Андрей",
        "Сергей",
        "Дмитрий",
        "Евгений",
        "Игорь",
        "Олег",
        "Павел",
        "Константин",
        "Роман",
        "Денис",
        "Вадим",
        "Александр",
        "Михаил",
        "Максим",
    ),
    "young": (
        "Артём",
        "Максим",
        "Никита",
        "Кирилл",
        "Илья",
        "Даниил",
        "Егор",
        "Иван",
        "Дмитрий",
        "Алексей",
        "Тимур",
        "Владислав",
        "Степан",
        "Фёдор",
    ),
}
FEMALE_FIRST_NAMES = frozenset(n for names in FEMALE_FIRST.values() for n in names)
MALE_FIRST_NAMES = frozenset(n for names in MALE_FIRST.values() for n in names)

#: (male, female) patronymics.
PATRONYMICS: tuple[tuple[str, str], ...] = (
    ("Александрович", "Александровна"),
    ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"),
    ("Сергеевич", "Сергеевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Евгеньевич", "Евгеньевна"),
    ("Иванович", "Ивановна"),
    ("Михайлович", "Михайловна"),
    ("Николаевич", "Николаевна"),
    ("Владимирович", "Владимировна"),
    ("Викторович", "Викторовна"),
    ("Юрьевич", "Юрьевна"),
    ("Павлович", "Павловна"),
    ("Олегович", "Олеговна"),
    ("Игоревич", "Игоревна"),
    ("Константинович", "Константиновна"),
    ("Петрович", "Петровна"),
    ("Васильевич", "Васильевна"),
    ("Анатольевич", "Анатольевна"),
    ("Геннадьевич", "Геннадьевна"),
    ("Григорьевич", "Григорьевна"),
    ("Степанович", "Степановна"),
    ("Фёдорович", "Фёдоровна"),
    ("Борисович", "Борисовна"),
    ("Леонидович", "Леонидовна"),
    ("Валерьевич", "Валерьевна"),
    ("Романович", "Романовна"),
    ("Яковлевич", "Яковлевна"),
    ("Ильич", "Ильинична"),
    ("Никитич", "Никитична"),
    ("Вадимович", "Вадимовна"),
    ("Аркадьевич", "Аркадьевна"),
    ("Эдуардович", "Эдуардовна"),
    ("Тимофеевич", "Тимофеевна"),
    ("Семёнович", "Семёновна"),
    ("Максимович", "Максимовна"),
    ("Денисович", "Денисовна"),
    ("Станиславович", "Станиславовна"),
)

#: Surnames in the male form; :func:`surname_for` gives the female form.
SURNAMES: tuple[str, ...] = tuple(
    """
    Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев
    Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев
    Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв
    Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков
    Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов
    Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев
    Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков
    Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов
    Потапов Журавлёв Овчинников Трофимов Леонов Ермаков Колесников Гончаров Емельянов Никифоров Грачёв
    Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков
    Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов
    Прокофьев Харитонов Князев Цветков Митрофанов Воронцов Третьяков Шубин Корнилов Носков Рябов Зуев
    Покровский Вознесенский Преображенский Успенский Зарецкий Высоцкий Савицкий Вишневский Троицкий
    Ткаченко Коваленко Шевченко Бондаренко Кравченко Клименко Лысенко Шевчук Ковальчук Мельник Черных
    Седых Белых Долгих
    """.split()
)

#: (subjects, weight, share of men) for teachers.
SUBJECT_SETS: tuple[tuple[tuple[str, ...], int, float], ...] = (
    (("начальные классы",), 28, 0.02),
    (("русский язык", "литература"), 14, 0.03),
    (("математика",), 8, 0.12),
    (("математика", "информатика"), 3, 0.25),
    (("информатика",), 2, 0.35),
    (("физика",), 3, 0.3),
    (("физика", "математика"), 1, 0.3),
    (("химия", "биология"), 3, 0.08),
    (("биология",), 2, 0.08),
    (("химия",), 1, 0.1),
    (("география",), 2, 0.15),
    (("география", "биология"), 1, 0.1),
    (("история", "обществознание"), 7, 0.2),
    (("английский язык",), 8, 0.05),
    (("немецкий язык",), 1, 0.05),
    (("физическая культура",), 6, 0.5),
    (("ОБЗР",), 1, 0.75),
    (("ОБЗР", "физическая культура"), 1, 0.7),
    (("технология",), 3, 0.4),
    (("музыка",), 2, 0.1),
    (("ИЗО",), 1, 0.1),
    (("технология", "ИЗО"), 1, 0.3),
)
COURSE_TITLES = (
    "Формирование функциональной грамотности обучающихся",
    "Реализация требований обновлённых ФГОС НОО, ФГОС ООО в работе учителя",
    "Реализация требований обновлённого ФГОС СОО в работе учителя",
    "Цифровая образовательная среда: инструменты и сервисы для учителя",
    "Организация обучения детей с ОВЗ в условиях инклюзивного образования",
    "Подготовка обучающихся к государственной итоговой аттестации в форме ОГЭ и ЕГЭ",
    "Оценка образовательных результатов: ВПР и объективность оценивания",
    "Школа современного учителя: развитие предметной компетентности",
    "Наставничество в образовательной организации: целевая модель",
    "Управление качеством образования в школе с низкими образовательными результатами",
    "Оказание первой помощи",
    "Профилактика деструктивного поведения обучающихся",
    "Формирование читательской грамотности на уроках",
    "Развитие математической грамотности обучающихся",
    "Профессиональное выгорание педагога: профилактика и преодоление",
    "Классное руководство и воспитательная работа в современной школе",
    "Проектная и исследовательская деятельность обучающихся",
    "Психолого-педагогическое сопровождение обучающихся",
)
COURSE_PROVIDERS = (
    "АУ «Институт развития образования»",
    "ГАУ ДПО «Таёжный региональный институт повышения квалификации»",
    "ФГАОУ ДПО «Академия Минпросвещения России»",
    f"МКУ «Центр развития образования {DISTRICT_GEN}»",
    "АНО ДПО «Северный образовательный центр»",
)
SWOT_POOL: dict[str, tuple[str, ...]] = {
    "strengths": (
        "Школа укомплектована педагогическими кадрами с высоким уровнем квалификации",
        "Высокий социальный авторитет школы в посёлке",
        "Достаточный уровень технического оснащения школы",
        "Созданы материально-технические и учебно-методические условия для реализации ФГОС",
        "Педагоги используют современные образовательные технологии, в том числе дистанционное обучение",
        "Опыт организации проектной и исследовательской деятельности обучающихся",
        "Активное участие обучающихся в спортивных районных мероприятиях",
        "Сложившаяся система работы с одарёнными детьми",
        "Малая наполняемость классов позволяет индивидуализировать обучение",
    ),
    "weaknesses": (
        "Низкая учебная мотивация обучающихся",
        "Наличие детей из семей, находящихся в сложной жизненной ситуации",
        "Недостаточный уровень взаимодействия с родителями (законными представителями) "
        "по вопросам повышения качества образования",
        "Старение педагогических кадров",
        "Слабое методическое сопровождение работы ШМО",
        "Низкие результаты оценочных процедур (ГИА, ВПР)",
        "Несформированность механизмов преемственности между уровнями образования",
        "Дефицит временных ресурсов как у педагогов, так и у обучающихся",
        "Формальный характер локальных нормативных актов",
    ),
    "opportunities": (
        "Использование инновационных технологий обучения",
        "Индивидуальные образовательные маршруты для высокомотивированных и слабоуспевающих обучающихся",
        "Максимальное использование возможностей внеурочной деятельности",
        "Привлечение родителей (законных представителей) к участию в общешкольных мероприятиях",
        "Привлечение ресурсов регионального и муниципального уровней (участие в проектах и грантах)",
        "Сетевое взаимодействие со школой-наставником",
        "Поддержка школы со стороны общественности и органов местного самоуправления",
    ),
    "threats": (
        "Социально опасное положение части семей, низкий образовательно-культурный уровень родителей",
        "Пассивность родителей, приоритет материальных ценностей над духовными",
        "Риск увеличения нагрузки на педагогов, обучающихся и родителей (законных представителей)",
        "Нехватка источников финансирования процессов и проектов развития",
        "Трудности с привлечением спонсоров и социальных партнёров",
        "Отток обучающихся в школы районного центра",
        "Дефицит молодых педагогических кадров в сельской местности",
    ),
}

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
        strict=True,
    )
)


def translit(text: str) -> str:
    """Latin letters for e-mail addresses and sites: «Берёзово» → «berezovo»."""
    out = []
    for ch in text.lower():
        if ch in _TRANSLIT:
            t = _TRANSLIT[ch]
            out.append("" if t == "-" else t)
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch in " -":
            out.append("-")
    return "".join(out).strip("-")


def surname_for(male_surname: str, female: bool) -> str:
    """Female form of a surname: Иванов → Иванова, Покровский → Покровская; Ткаченко, Черных stay."""
    if not female:
        return male_surname
    if male_surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return male_surname + "а"
    if male_surname.endswith(("ский", "цкий")):
        return male_surname[:-2] + "ая"
    return male_surname


# --- context ---------------------------------------------------------------------------------------------------


@dataclass
class NamePlan:
    female: bool
    last: str
    first: str
    middle: str
    birth_year: int

    @property
    def fio(self) -> str:
        return f"{self.last} {self.first} {self.middle}"


@dataclass(eq=False)
class DemoSchool:
    obj: School
    kind: str  # sosh | oosh | lyceum | gymnasium
    in_centre: bool
    quality: float  # latent 0..1: drives ИОР, results, statuses
    staff_n: int = 0
    head: NamePlan | None = None
    acting_head: bool = False
    statuses: dict[str, list[str]] = field(default_factory=dict)  # school year → status codes
    shnor_labels: dict[str, str] = field(default_factory=dict)  # school year → ШНОР sub-label


@dataclass(eq=False)
class DemoPerson:
    obj: Person
    school: DemoSchool
    female: bool
    birth_year: int
    positions: list[str]
    education: str
    category: str
    category_date: date | None
    experience: int
    moves: list[tuple[DemoSchool, date, date | None]]  # (school, from, to)
    course_ends: list[date]


@dataclass
class DemoContext:
    """What steps share. ``add`` a record to count it and flush in batches; ``progress(x)`` reports 0..1 within
    the current step; ``check_cancel()`` raises :class:`DemoCancelled` when the user asked to stop."""

    session: Session
    scale_code: str
    scale: dict[str, int]
    seed: int
    today: date
    school_years: list[str]  # three school years, oldest first; the last is the current one
    calendar_years: list[int]  # ИОР years, oldest first
    rng: random.Random = field(default_factory=random.Random)
    schools: list[DemoSchool] = field(default_factory=list)
    persons: list[DemoPerson] = field(default_factory=list)
    #: school year → [(mentor, low-result school)]
    mentor_pairs: dict[str, list[tuple[DemoSchool, DemoSchool]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    person_keys: set[tuple[str, str, str, int]] = field(default_factory=set)
    short_names: set[str] = field(default_factory=set)
    _pending: int = 0
    _report: Callable[[float, str], None] = lambda _f, _m: None
    _cancel: Callable[[], bool] = lambda: False

    @property
    def year(self) -> str:
        """The current (latest) school year."""
        return self.school_years[-1]

    def add(self, obj) -> None:
        self.session.add(obj)
        name = obj.__tablename__
        self.counts[name] = self.counts.get(name, 0) + 1
        self._pending += 1
        if self._pending >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        self.check_cancel()
        self.session.flush()
        self._pending = 0

    def check_cancel(self) -> None:
        if self._cancel():
            raise DemoCancelled()

    def progress(self, fraction: float, message: str = "") -> None:
        self._report(fraction, message)

    def new_name(self, female: bool, birth_year: int) -> NamePlan:
        """A person's name, unique with the birth year across the municipality (DOMAIN duplicate rule)."""
        era = "old" if birth_year <= 1970 else "mid" if birth_year <= 1987 else "young"
        firsts = (FEMALE_FIRST if female else MALE_FIRST)[era]
        rng = self.rng
        for _ in range(10000):
            last = surname_for(rng.choice(SURNAMES), female)
            first = rng.choice(firsts)
            middle = rng.choice(PATRONYMICS)[1 if female else 0]
            key = (fold(last), fold(first), fold(middle), birth_year)
            if key not in self.person_keys:
                self.person_keys.add(key)
                return NamePlan(female, last, first, middle, birth_year)
        raise RuntimeError("не удалось подобрать уникальное ФИО")  # pragma: no cover


@dataclass(frozen=True)
class DemoStep:
    title: str  # Russian, shown in the progress dialog
    run: Callable[[DemoContext], None]
    weight: float = 1.0  # share of the progress bar


#: Generator steps in order. Append (``register_step``) to add records of a later capability.
STEPS: list[DemoStep] = []


def register_step(title: str, weight: float = 1.0):
    """Decorator: append ``fn(ctx)`` to :data:`STEPS` (replacing a step with the same title)."""

    def deco(fn: Callable[[DemoContext], None]):
        STEPS[:] = [s for s in STEPS if s.title != title]
        STEPS.append(DemoStep(title, fn, weight))
        return fn

    return deco


@dataclass
class DemoSummary:
    scale: str
    seed: int
    school_years: list[str]
    counts: dict[str, int]  # table name → created records; «change_log» → rows written
    seconds: float

    def __getitem__(self, table: str) -> int:
        return self.counts.get(table, 0)

    @property
    def schools(self) -> int:
        return self["school"]

    @property
    def persons(self) -> int:
        return self["person"]

    def describe(self) -> str:
        labels = {
            "school": "школ",
            "school_status": "статусов",
            "school_ior": "значений ИОР",
            "school_indicator": "значений показателей",
            "swot_item": "пунктов SWOT",
            "person": "педагогов",
            "staff_move": "записей о местах работы",
            "course": "курсов",
        }
        parts = [f"{labels.get(t, t)} — {n}" for t, n in self.counts.items() if t != "change_log"]
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        return f"Создано за {seconds} с: " + ", ".join(parts) + "."


# --- the entry point -------------------------------------------------------------------------------------------


def generate_demo(
    factory: sessionmaker[Session],
    scale: str = "S",
    seed: int = 2026,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    force: bool = False,
) -> DemoSummary:
    """Fill the database with a demo municipality in one transaction (see the module docstring).

    Raises :class:`DemoRefused` when live schools exist (unless ``force``), :class:`DemoCancelled` when
    ``cancel()`` turns true (everything is rolled back), ``ValueError`` for an unknown scale.
    """
    if scale not in SCALES:
        raise ValueError(f"Неизвестный размер демонстрационной базы «{scale}»: " + ", ".join(SCALES))
    started = time.perf_counter()
    today = today or date.today()
    last = [0.0]

    def report(fraction: float, message: str) -> None:
        """Never backwards, 0..1, rounded (the UI shows a percent)."""
        last[0] = max(last[0], min(1.0, round(fraction, 4)))
        if progress is not None:
            progress(last[0], message)

    year = current_school_year(today)
    years = previous_school_years(year, 3)
    y0 = int(year[:4])
    total_weight = sum(s.weight for s in STEPS) + 0.05

    with session_scope(factory) as session:
        n_live = session.scalar(select(func.count()).select_from(School).where(School.deleted_at.is_(None)))
        if n_live and not force:
            raise DemoRefused(
                f"В базе уже есть школы ({n_live}). Демонстрационные данные создаются только в пустой базе."
            )
        log_before = session.scalar(select(func.count()).select_from(ChangeLog)) or 0
        ctx = DemoContext(
            session=session,
            scale_code=scale,
            scale=dict(SCALES[scale]),
            seed=seed,
            today=today,
            school_years=years,
            calendar_years=[y0 - 2, y0 - 1, y0],
        )
        ctx._cancel = cancel or (lambda: False)
        _load_existing(ctx)
        done = 0.0
        for step in STEPS:
            ctx.check_cancel()
            base, span = done / total_weight, step.weight / total_weight
            report(base, step.title)
            ctx._report = lambda f, m, base=base, span=span, title=step.title: report(
                base + span * max(0.0, min(1.0, f)), m or title
            )
            ctx.rng = random.Random(f"{seed}:{scale}:{step.title}")
            step.run(ctx)
            done += step.weight
        report(done / total_weight, "Сохранение в базу данных")
        ctx.flush()
        _fill_settings(session, scale, seed, today)
        ctx.check_cancel()
        counts = dict(ctx.counts)
        counts["change_log"] = (session.scalar(select(func.count()).select_from(ChangeLog)) or 0) - log_before
    report(1.0, "Готово")
    return DemoSummary(scale, seed, years, counts, time.perf_counter() - started)


def _load_existing(ctx: DemoContext) -> None:
    """With ``force``: keep the duplicate rules against what the base already holds."""
    s = ctx.session
    ctx.short_names.update(fold(n) for n in s.scalars(select(School.short_name)))
    for last, first, middle, by in s.execute(
        select(Person.last_name, Person.first_name, Person.middle_name, Person.birth_year)
    ):
        ctx.person_keys.add((fold(last), fold(first), fold(middle), by or 0))


def _fill_settings(session: Session, scale: str, seed: int, today: date) -> None:
    """Identity of the demo МОЦ where the installation has none yet (local settings, not synchronised)."""
    for key, value in DEMO_SETTINGS.items():
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        elif not row.value:
            row.value = value
    info = json.dumps({"scale": scale, "seed": seed, "today": today.isoformat()})
    row = session.get(Setting, "demo_data")
    if row is None:
        session.add(Setting(key="demo_data", value=info))
    else:
        row.value = info


# --- helpers ---------------------------------------------------------------------------------------------------


def _clamp(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Integers proportional to ``weights`` (each ≥ ``minimum``) summing exactly to ``total``."""
    n = len(weights)
    minimum = min(minimum, total // n) if n else 0
    rest = total - minimum * n
    s = sum(weights) or 1.0
    raw = [rest * w / s for w in weights]
    out = [minimum + int(r) for r in raw]
    short = total - sum(out)
    order = sorted(range(n), key=lambda i: (-(raw[i] - int(raw[i])), i))
    for i in order[:short]:
        out[i] += 1
    return out


def _order(rng: random.Random, year_start: int, month: int, day_lo: int, day_hi: int, today: date) -> date:
    return min(date(year_start, month, rng.randint(day_lo, day_hi)), today)


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


# --- step 1: schools -------------------------------------------------------------------------------------------


@register_step("Школы", weight=0.03)
def _step_schools(ctx: DemoContext) -> None:
    rng = ctx.rng
    n = ctx.scale["schools"]
    n_centre = min(n, max(4, round(n * 0.25)))  # the district town holds a quarter of the schools
    # (settlement, kind, number or None, in_centre)
    plan: list[tuple[tuple[str, str, str], str, int | None, bool]] = []
    centre_kinds = ["lyceum", "gymnasium"] + ["sosh"] * max(0, n_centre - 2)
    n_centre_sosh = centre_kinds.count("sosh")
    num = 0
    for kind in centre_kinds[:n_centre]:
        if kind == "sosh":
            num += 1
            plan.append((CENTRE, kind, num if n_centre_sosh > 1 else None, True))
        else:
            plan.append((CENTRE, kind, None, True))
    rural = n - len(plan)
    settlements = list(SETTLEMENTS)
    rng.shuffle(settlements)
    per_place = [0] * len(settlements)
    used = min(len(settlements), max(1, round(rural * 0.75)) if rural else 0)
    for i in range(rural):
        idx = i if i < used else rng.randrange(used)
        per_place[idx] += 1
    for place, k in zip(settlements, per_place, strict=True):
        for j in range(k):
            p_oosh = 0.0 if (k > 1 and j == 0) else 0.5 if j > 0 else 0.35
            kind = "oosh" if rng.random() < p_oosh else "sosh"
            plan.append((place, kind, (j + 1) if k > 1 else None, False))

    honorifics = list(HONORIFICS)
    rng.shuffle(honorifics)
    for place, kind, number, in_centre in plan:
        settle = f"{place[0]} {place[1]}"
        adj = place[2]
        if kind == "lyceum":
            form = "МАОУ"
            core = CENTRE_LYCEUM
            core_full = core
        elif kind == "gymnasium":
            form = "МБОУ"
            core = core_full = f"{adj} гимназия"
        else:
            if in_centre:
                form = _weighted(rng, ["МБОУ", "МАОУ"], [4, 1])
            else:
                form = _weighted(rng, ["МКОУ", "МБОУ", "МАОУ"], [6, 3, 1])
            short_kind, full_kind = KIND_NAMES[kind]
            suffix = f" № {number}" if number else ""
            core = f"{adj} {short_kind}{suffix}"
            core_full = f"{adj} {full_kind}{suffix}"
        short = f"{form} «{core}»"
        k = 2
        while fold(short) in ctx.short_names:  # a base already holding this name (force=True)
            short = f"{form} «{core} ({k})»"
            k += 1
        ctx.short_names.add(fold(short))
        honorific = honorifics.pop() if honorifics and rng.random() < 0.2 else ""
        full_core = core_full + (f" имени {honorific[4:]}" if honorific else "")
        if kind == "lyceum":
            quality = rng.uniform(0.78, 0.95)
        elif kind == "gymnasium":
            quality = rng.uniform(0.75, 0.93)
        elif in_centre:
            quality = rng.uniform(0.5, 0.85)
        elif kind == "sosh":
            quality = rng.uniform(0.22, 0.82)
        else:
            quality = rng.uniform(0.12, 0.7)
        slug = translit(place[1])
        kcode = {"lyceum": "licey", "gymnasium": "gimnaziya"}.get(kind, kind)
        email = f"{kcode}{number or ''}-{slug}@{_weighted(rng, ['mail.ru', 'yandex.ru'], [3, 1])}"
        website = f"https://{kcode}{number or ''}-{slug}.gosuslugi.ru"
        postcode = 628100 if in_centre else 628100 + 10 * (SETTLEMENTS.index(place) + 1)
        school = School(
            short_name=short,
            full_name=f"{FORMS[form]} «{full_core}»",
            honorific=honorific,
            settlement=settle,
            address=f"{postcode}, {REGION}, {DISTRICT}, {settle}, ул. {rng.choice(STREETS)}, д. {rng.randint(1, 48)}",
            phone=f"8 ({PHONE_CODE}) 2-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            email=email,
            website=website,
            is_rural=not in_centre,
        )
        ctx.schools.append(DemoSchool(obj=school, kind=kind, in_centre=in_centre, quality=quality))

    # staff sizes, then the contingent that fits them (rural schools have fewer pupils per teacher)
    weights = []
    for s in ctx.schools:
        w = {"lyceum": 3.5, "gymnasium": 3.5, "sosh": 4.0 if s.in_centre else 1.0, "oosh": 0.35}[s.kind]
        weights.append(w * rng.uniform(0.75, 1.25))
    for s, staff_n in zip(ctx.schools, _allocate(ctx.scale["staff"], weights, 8), strict=True):
        s.staff_n = staff_n
        ratio = rng.uniform(13, 17) if s.in_centre else rng.uniform(6, 10)
        pupils = max(12, round(staff_n * ratio))
        o = s.obj
        if s.kind == "oosh":
            o.pupils_noo = round(pupils * rng.uniform(0.42, 0.5))
            o.pupils_ooo = pupils - o.pupils_noo
            o.pupils_soo = None
        elif s.kind == "lyceum":
            o.pupils_noo = round(pupils * rng.uniform(0.2, 0.3))
            o.pupils_soo = round(pupils * rng.uniform(0.15, 0.2))
            o.pupils_ooo = pupils - o.pupils_noo - o.pupils_soo
        else:
            o.pupils_noo = round(pupils * rng.uniform(0.38, 0.44))
            o.pupils_soo = round(pupils * rng.uniform(0.06, 0.11))
            o.pupils_ooo = pupils - o.pupils_noo - o.pupils_soo
        o.is_small = (not s.in_centre) and pupils <= 150  # малокомплектная: a small rural school
        # the head: an experienced director, or an acting one (a deputy) in some schools
        s.acting_head = rng.random() < 0.08
        female = rng.random() < 0.68
        by = rng.randint(ctx.today.year - 64, ctx.today.year - 36)
        s.head = ctx.new_name(female, by)
        o.director_post = "и.о. директора" if s.acting_head else "директор"
        o.director_name = s.head.fio
    for s in ctx.schools:
        ctx.add(s.obj)
    ctx.flush()


# --- step 2: statuses ------------------------------------------------------------------------------------------


def _pick_status_sets(ctx: DemoContext) -> tuple[list[list[DemoSchool]], list[DemoSchool]]:
    """ШНОР per year (about 20–25 %, mostly the same schools, some leaving in the last year) and ШНСУ."""
    rng = ctx.rng
    schools = ctx.schools
    n = len(schools)
    eligible = [s for s in schools if s.kind in ("sosh", "oosh")]
    ranked = sorted(eligible, key=lambda s: s.quality + rng.gauss(0, 0.06))
    k = min(len(ranked), max(1, round(n * rng.uniform(0.20, 0.25))))
    y1 = ranked[:k]
    pool = [s for s in ranked if s not in y1]
    y2 = list(y1)
    for _ in range(rng.randint(0, max(0, k // 6))):
        if pool and len(y2) > 1:
            y2.remove(max(y2, key=lambda s: s.quality))
            y2.append(pool.pop(0))
    leavers = sorted(y2, key=lambda s: -s.quality)[: max(1, round(k * rng.uniform(0.2, 0.3)))]
    if len(y2) == 1 and not pool:
        leavers = []
    y3 = [s for s in y2 if s not in leavers]
    while len(y3) < k and pool:
        y3.append(pool.pop(0))
    # ШНСУ: about 10–15 %, rural, half of them also low-result schools
    m = min(len(eligible), max(1, round(n * rng.uniform(0.10, 0.15))))
    both = [s for s in y3 if not s.in_centre]
    rng.shuffle(both)
    shnsu = both[: max(1, m // 2)] if both else []
    others = [s for s in eligible if s not in shnsu and not s.in_centre]
    others.sort(key=lambda s: s.quality + rng.gauss(0, 0.15))
    shnsu += others[: m - len(shnsu)]
    return [y1, y2, y3], shnsu


@register_step("Статусы школ", weight=0.03)
def _step_statuses(ctx: DemoContext) -> None:
    rng = ctx.rng
    years = ctx.school_years
    shnor_by_year, shnsu = _pick_status_sets(ctx)
    by_quality = sorted(ctx.schools, key=lambda s: -s.quality)
    consulting = [s for s in by_quality if s.in_centre][: 1 if len(ctx.schools) < 30 else 2]
    shnsu_set = set(shnsu)
    rest = [s for s in by_quality if s not in consulting and s not in shnsu_set]
    n = len(ctx.schools)
    leaders = rest[: max(1, n // 15)]
    rip = rest[len(leaders) : len(leaders) + max(1, n // 20)]
    internship = rest[len(leaders) + len(rip) : len(leaders) + len(rip) + max(1, n // 25)]
    prev_mentor: dict[DemoSchool, DemoSchool] = {}
    run_length: dict[DemoSchool, int] = {}

    for i, year in enumerate(years):
        y = int(year[:4])
        main_no = rng.randint(380, 470)
        main_date = _order(rng, y, 8, 15, 31, ctx.today)
        mentor_no, mentor_date = main_no + rng.randint(6, 30), _order(rng, y, 9, 1, 12, ctx.today)
        other_no, other_date = main_no + rng.randint(31, 60), _order(rng, y, 9, 13, 28, ctx.today)
        rows: list[tuple[DemoSchool, str, str, int, date, str]] = []
        shnor = shnor_by_year[i]
        shnor_set = set(shnor)
        # mentors: strong schools outside both clusters, one low-result school each when there are enough
        candidates = [s for s in by_quality if s not in shnor_set and s not in shnsu_set]
        cap = 1 if len(candidates) >= len(shnor) else 2
        load: dict[DemoSchool, list[DemoSchool]] = {}
        pairs: list[tuple[DemoSchool, DemoSchool]] = []
        for low in shnor:
            mentor = prev_mentor.get(low)
            if mentor is None or mentor not in candidates or len(load.get(mentor, [])) >= cap:
                free = [c for c in candidates if len(load.get(c, [])) < cap] or candidates
                top = free[: max(1, len(free) // 2)]
                # same territory first (a matching criterion of seed 003), else one of the strongest
                same_place = [c for c in top if c.obj.settlement == low.obj.settlement]
                mentor = same_place[0] if same_place else rng.choice(top[:3])
            load.setdefault(mentor, []).append(low)
            prev_mentor[low] = mentor
            pairs.append((mentor, low))
        ctx.mentor_pairs[year] = pairs
        for s in ctx.schools:
            run_length[s] = run_length.get(s, 0) + 1 if s in shnor_set else 0
        for mentor, low in pairs:
            run = run_length[low]
            if i == 0:
                label = _weighted(rng, SHNOR_SUB_LABELS, [4, 3, 3])
            elif run >= 3:
                label = SHNOR_SUB_LABELS[0]
            elif run == 2:
                label = _weighted(rng, SHNOR_SUB_LABELS[:2], [3, 2])
            else:
                label = _weighted(rng, SHNOR_SUB_LABELS[1:], [3, 7])
            low.shnor_labels[year] = label
            rows.append(
                (low, "shnor", label, main_no, main_date, f"Школа-наставник: {mentor.obj.short_name}")
            )
        for s in shnsu:
            rows.append((s, "shnsu", "", main_no, main_date, ""))
        if i > 0:
            before = set(shnor_by_year[i - 1])
            for s in ctx.schools:
                if s in before and s not in shnor_set:
                    note = f"Вышла из числа ШНОР по итогам {years[i - 1]} учебного года"
                    rows.append((s, "growth", "", main_no, main_date, note))
        for mentor in by_quality:
            lows = load.get(mentor)
            if lows:
                note = "Наставник для: " + "; ".join(x.obj.short_name for x in lows)
                rows.append((mentor, "mentor", "", mentor_no, mentor_date, note))
        for s in consulting:
            rows.append((s, "consulting", "", other_no, other_date, ""))
        for s in leaders:
            rows.append((s, "leader", "", other_no, other_date, ""))
        if i >= 1:
            for s in rip:
                rows.append((s, "rip", "", other_no, other_date, ""))
        if i == 2:
            for s in internship:
                rows.append((s, "internship", "", other_no, other_date, ""))
        for s, code, label, no, when, note in rows:
            s.statuses.setdefault(year, []).append(code)
            ctx.add(
                SchoolStatus(
                    school=s.obj,
                    school_year=year,
                    status_code=code,
                    sub_label=label,
                    order_number=f"{no}-од",
                    order_date=when,
                    note=note,
                )
            )
        ctx.progress((i + 1) / len(years))


# --- step 3: ИОР -----------------------------------------------------------------------------------------------


@register_step("ИОР", weight=0.02)
def _step_ior(ctx: DemoContext) -> None:
    """ИОР of calendar years y-2..y for the school year starting in y (seed 003: 2017–2019 for 2019/2020)."""
    rng = ctx.rng
    for s in ctx.schools:
        unstable = SHNOR_SUB_LABELS[1] in s.shnor_labels.values()
        for year, cal in zip(ctx.school_years, ctx.calendar_years, strict=True):
            v = 0.33 + 0.42 * s.quality + rng.gauss(0, 0.06 if unstable else 0.022)
            codes = s.statuses.get(year, [])
            if "shnor" in codes:
                v = min(v, rng.uniform(0.38, 0.5))
            elif "growth" in codes:
                v = max(v, rng.uniform(0.5, 0.56))
            ctx.add(SchoolIor(school=s.obj, year=cal, value=round(_clamp(v, 0.35, 0.75), 3)))


# --- step 4: staff ---------------------------------------------------------------------------------------------


def _birth_year(rng: random.Random, today: date, role: str) -> int:
    """Ages 23–68 (1958–2003 for 2026), older staff prevailing as in real rural schools (seed 003 Table 3)."""
    lo, hi = today.year - 68, today.year - 23
    if role in ("director", "deputy"):
        return rng.randint(max(lo, today.year - 64), today.year - 32)
    band = _weighted(rng, [(0, 10), (11, 22), (23, 35), (36, 45)], [18, 28, 32, 22])
    return rng.randint(hi - band[1], hi - band[0])


def _education(rng: random.Random, role: str, subjects: tuple[str, ...], quality: float) -> str:
    if role in ("director", "deputy", "psychologist", "logoped"):
        return _weighted(rng, ["высшее педагогическое", "высшее"], [9, 1])
    spo = 0.14 * (1.6 - quality) * (2.0 if subjects == ("начальные классы",) else 1.0)
    return _weighted(
        rng,
        [
            "высшее педагогическое",
            "высшее",
            "среднее профессиональное педагогическое",
            "среднее профессиональное",
        ],
        [1 - spo - 0.07, 0.07, spo * 0.85, spo * 0.15],
    )


def _roles(rng: random.Random, s: DemoSchool) -> list[str]:
    """Roles of a school's staff: head, deputies, specialists, then teachers (some also heading an ШМО)."""
    n = s.staff_n
    roles = ["acting" if s.acting_head else "director"]
    n_uvr = 1 if n < 25 else 2 if n < 60 else 3
    roles += ["uvr"] * (n_uvr - (1 if s.acting_head else 0))
    optional = []
    if n >= 15:
        optional.append("vr")
    big = s.in_centre or s.kind in ("lyceum", "gymnasium")
    if rng.random() < (0.95 if big else 0.6 if s.kind == "sosh" else 0.35):
        optional.append("psychologist")
        if n > 60:
            optional.append("psychologist")
    if rng.random() < (0.85 if big else 0.5):
        optional.append("social")
    if rng.random() < (0.7 if big else 0.25):
        optional.append("logoped")
    optional += ["pdo"] * (n // 40)
    roles += optional
    roles = roles[: max(1, n - 3)] if len(roles) > n - 3 else roles
    teachers = n - len(roles)
    n_shmo = max(1, teachers // 9)
    roles += ["shmo"] * n_shmo + ["teacher"] * (teachers - n_shmo)
    return roles


_ROLE_POSITIONS = {
    "director": ["директор"],
    "acting": ["заместитель директора по УВР"],
    "uvr": ["заместитель директора по УВР"],
    "vr": ["заместитель директора по ВР"],
    "psychologist": ["педагог-психолог"],
    "social": ["социальный педагог"],
    "logoped": ["учитель-логопед"],
    "pdo": ["педагог дополнительного образования"],
    "shmo": ["учитель", "руководитель ШМО"],
    "teacher": ["учитель"],
}


def _category(rng: random.Random, exp: int, quality: float) -> str:
    if exp < 2:
        return "без категории"
    if exp < 5:
        w = [0.04, 0.36, 0.35, 0.25]
    elif exp <= 15:
        w = [0.22, 0.42, 0.26, 0.10]
    else:
        w = [0.38, 0.36, 0.21, 0.05]
    w[0] *= 0.6 + 0.6 * quality
    return _weighted(rng, ["высшая", "первая", "соответствие занимаемой должности", "без категории"], w)


def _contacts(rng: random.Random, name: NamePlan, by: int) -> tuple[str, str]:
    phone = ""
    if rng.random() < 0.65:
        phone = (
            f"8 (9{rng.randint(0, 9)}{rng.randint(0, 9)}) {rng.randint(100, 999)}-"
            f"{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        )
    email = ""
    if rng.random() < 0.5:
        local = f"{translit(name.last)}.{translit(name.first[0])}{translit(name.middle[0])}{by % 100:02d}"
        email = f"{local}@{_weighted(rng, ['mail.ru', 'yandex.ru', 'bk.ru', 'list.ru'], [5, 4, 1, 1])}"
    return phone, email


@register_step("Педагогические работники", weight=0.62)
def _step_staff(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = ctx.today
    y0 = int(ctx.year[:4])
    set_names = [s[0] for s in SUBJECT_SETS]
    set_weights = [s[1] for s in SUBJECT_SETS]
    male_share = {s[0]: s[2] for s in SUBJECT_SETS}
    n_schools = len(ctx.schools)
    earliest_course = _years_before(today, 5)
    for si, s in enumerate(ctx.schools):
        ctx.check_cancel()
        for ri, role in enumerate(_roles(rng, s)):
            head = ri == 0
            subjects: tuple[str, ...] = ()
            if role in ("teacher", "shmo", "uvr", "acting") or (role == "director" and rng.random() < 0.6):
                subjects = _weighted(rng, set_names, set_weights)
                if role != "teacher" and subjects == ("начальные классы",) and rng.random() < 0.5:
                    subjects = ("русский язык", "литература")
            if head:
                assert s.head is not None
                name = s.head
                by = name.birth_year
            else:
                kind = "deputy" if role in ("uvr", "vr") else "teacher"
                by = _birth_year(rng, today, kind)
                # about one in five pedagogues is a man (more among PE, ОБЗР, technology teachers)
                p_male = min(0.9, 1.4 * male_share.get(subjects, 0.12)) if subjects else 0.1
                name = ctx.new_name(rng.random() >= p_male, by)
            education = _education(rng, "director" if head else role, subjects, s.quality)
            start_age = rng.randint(21, 24) if education.startswith("высшее") else rng.randint(19, 21)
            career = max(0, y0 - by - start_age)
            pause = rng.randint(1, 8) if rng.random() < 0.3 else 0
            exp = max(0, career - pause)
            if head or role in ("uvr", "vr"):
                exp = max(exp, min(career, 8))
            career_start = date(y0 - exp, 9, 1)
            category = _category(rng, exp, s.quality)
            cat_date = None
            if category != "без категории":
                lo = max(career_start + timedelta(days=300), today - timedelta(days=5 * 365 - 1))
                span = (today - lo).days
                cat_date = lo + timedelta(days=rng.randint(0, max(0, span)))
            positions = list(_ROLE_POSITIONS[role])
            note = "Исполняет обязанности директора" if role == "acting" else ""
            phone, email = _contacts(rng, name, by)
            person = Person(
                last_name=name.last,
                first_name=name.first,
                middle_name=name.middle,
                birth_year=by,
                school=s.obj,
                positions="; ".join(positions),
                subjects="; ".join(subjects),
                education=education,
                category=category,
                category_date=cat_date,
                experience_years=exp,
                phone=phone,
                email=email,
                note=note,
            )
            ctx.add(person)
            # work places: ~5 % came from another school of the district
            moves: list[tuple[DemoSchool, date, date | None]] = []
            if exp >= 4 and n_schools > 1 and rng.random() < 0.05:
                other = rng.choice([x for x in ctx.schools if x is not s])
                moved = date(rng.randint(y0 - exp + 2, y0), 9, 1)
                moves.append((other, career_start, moved))
                moves.append((s, moved, None))
            else:
                hired = career_start if rng.random() < 0.55 else date(rng.randint(y0 - exp, y0), 9, 1)
                moves.append((s, hired, None))
            for k, (school, d_from, d_to) in enumerate(moves):
                last = k == len(moves) - 1
                ctx.add(
                    StaffMove(
                        person=person,
                        school=school.obj,
                        position=positions[0] if last else "учитель",
                        date_from=d_from,
                        date_to=d_to,
                        note="" if last else "Перевод в другую школу района",
                    )
                )
            # courses (КПК) over the last five years
            course_ends: list[date] = []
            n_courses = _weighted(rng, [0, 1, 2, 3], [8, 35, 35, 22])
            lo = max(earliest_course, career_start - timedelta(days=365))
            span = (today - lo).days
            for _ in range(n_courses if span > 20 else 0):
                hours = _weighted(rng, [16, 36, 72], [1, 2, 1])
                d_to = today - timedelta(days=int((span - 10) * rng.random() ** 1.5))  # recent ones prevail
                d_from = d_to - timedelta(days={16: rng.randint(1, 3), 36: rng.randint(4, 10)}.get(hours, 0))
                if hours == 72:
                    d_from = d_to - timedelta(days=rng.randint(10, 30))
                if subjects and rng.random() < 0.25:
                    subject = subjects[0]
                    title = f"Методика преподавания предмета «{subject}» в условиях реализации ФГОС"
                else:
                    title = rng.choice(COURSE_TITLES)
                ctx.add(
                    Course(
                        person=person,
                        title=title,
                        hours=hours,
                        date_from=d_from,
                        date_to=d_to,
                        provider=_weighted(rng, COURSE_PROVIDERS, [5, 3, 2, 2, 1]),
                    )
                )
                course_ends.append(d_to)
            ctx.persons.append(
                DemoPerson(
                    obj=person,
                    school=s,
                    female=name.female,
                    birth_year=by,
                    positions=positions,
                    education=education,
                    category=category,
                    category_date=cat_date,
                    experience=exp,
                    moves=moves,
                    course_ends=course_ends,
                )
            )
        ctx.progress((si + 1) / n_schools, f"Педагогические работники: школа {si + 1} из {n_schools}")


# --- step 5: indicators ----------------------------------------------------------------------------------------


def _reference_date(ctx: DemoContext, year: str) -> date:
    """Staff is counted as on 20 September of the school year (the ОО-1 statistics date), or today."""
    return min(date(int(year[:4]), 9, 20), ctx.today)


def _staff_on(ctx: DemoContext, when: date) -> dict[DemoSchool, list[DemoPerson]]:
    out: dict[DemoSchool, list[DemoPerson]] = {}
    for p in ctx.persons:
        for school, d_from, d_to in p.moves:
            if d_from <= when and (d_to is None or d_to > when):
                out.setdefault(school, []).append(p)
                break
    return out


def _category_on(p: DemoPerson, when: date, years_back: int) -> str:
    """The category held on ``when``. Categories are confirmed every five years, so an award after ``when`` is
    usually a confirmation; a young teacher's first category or a rise to «высшая» is not."""
    if p.category_date is None or p.category_date <= when:
        return p.category
    exp_then = p.experience - years_back
    if exp_then < 2:
        return "без категории"
    if p.category == "высшая" and exp_then < 12:
        return "первая"
    if p.category == "первая" and exp_then < 5:
        return "соответствие занимаемой должности"
    return p.category


def _staff_quality(people: list[DemoPerson], when: date, years_back: int) -> dict[str, tuple[float, int]]:
    """Seed 003 Table 3 for one school: code → (percent with one decimal, count). ``years_back``: how many
    school years before the current one ``when`` lies (experience shrinks by that much)."""
    total = len(people)

    def pct(pred) -> tuple[float, int]:
        k = sum(1 for p in people if pred(p))
        return (round(100.0 * k / total, 1) if total else 0.0, k)

    return {
        "sq_total": (float(total), total),
        "sq_higher": pct(lambda p: p.education.startswith("высшее")),
        "sq_higher_ped": pct(lambda p: p.education == "высшее педагогическое"),
        "sq_spo": pct(lambda p: p.education.startswith("среднее профессиональное")),
        "sq_spo_ped": pct(lambda p: p.education == "среднее профессиональное педагогическое"),
        "sq_cat_high": pct(lambda p: _category_on(p, when, years_back) == "высшая"),
        "sq_cat_first": pct(lambda p: _category_on(p, when, years_back) == "первая"),
        "sq_exp_lt5": pct(lambda p: p.experience - years_back < 5),
        "sq_exp_gt30": pct(lambda p: p.experience - years_back > 30),
        "sq_age_lt30": pct(lambda p: when.year - p.birth_year < 30),
        "sq_age_55": pct(lambda p: when.year - p.birth_year >= 55),
    }


def _monitoring(
    ctx: DemoContext, s: DemoSchool, year: str, people: list[DemoPerson], when: date
) -> dict[str, float]:
    """Seed 001 monitoring values; shares with three decimals; ЕГЭ / 11th grade only where there is СОО."""
    rng = ctx.rng
    q = s.quality
    codes = s.statuses.get(year, [])
    weak = q < 0.4 or "shnor" in codes
    has_soo = s.kind != "oosh"

    def share(x: float, hi: float = 1.0) -> float:
        return round(_clamp(x, 0.0, hi), 3)

    def rare(p_zero: float, hi: float) -> float:
        return 0.0 if rng.random() < p_zero else share(rng.uniform(0.005, hi))

    since = _years_before(when, 3)
    with_courses = sum(1 for p in people if any(since <= d <= when for d in p.course_ends))
    v = {
        "mon_good_marks": share(0.18 + 0.4 * q + rng.gauss(0, 0.03), 0.8),
        "mon_honours_9": share(0.12 * q + rng.gauss(0, 0.02), 0.25),
        "mon_no_cert_9": rare(0.5 if weak else 0.88, 0.08 if weak else 0.03),
        "mon_prevention": share(rng.uniform(0.03, 0.09) if "shnsu" in codes else rng.uniform(0.004, 0.035)),
        "mon_vacancies": float(
            _weighted(rng, [0, 1, 2, 3], [50, 30, 15, 5] if not s.in_centre else [70, 25, 5, 0])
        ),
        "mon_courses_3y": share(with_courses / len(people)) if people else 0.0,
        "mon_psychologist": 1.0 if any("педагог-психолог" in p.positions for p in people) else 0.0,
        "mon_method_events": float(
            rng.randint(2, 8) if {"mentor", "consulting", "leader"} & set(codes) else rng.randint(0, 3)
        ),
    }
    if has_soo:
        v["mon_no_cert_11"] = rare(0.6 if weak else 0.92, 0.06 if weak else 0.02)
        v["mon_ege_rus_fail"] = rare(0.5 if weak else 0.9, 0.08 if weak else 0.03)
        v["mon_ege_math_fail"] = rare(0.3 if weak else 0.6, 0.2 if weak else 0.06)
        v["mon_ege_choice_fail"] = share(rng.uniform(0.0, 0.3 * (1 - q)))
    return v


@register_step("Показатели мониторинга и кадрового состава", weight=0.2)
def _step_indicators(ctx: DemoContext) -> None:
    kinds = {
        r.code: r.kind
        for r in ctx.session.scalars(
            select(RefIndicator).where(RefIndicator.group.in_(("monitoring", "staff_quality")))
        )
    }
    n_years = len(ctx.school_years)
    for i, year in enumerate(ctx.school_years):
        when = _reference_date(ctx, year)
        staff = _staff_on(ctx, when)
        back = n_years - 1 - i
        for s in ctx.schools:
            people = staff.get(s, [])
            values: dict[str, tuple[float, int | None]] = {
                c: (v, int(v) if kinds.get(c) == "count" else None)
                for c, v in _monitoring(ctx, s, year, people, when).items()
            }
            if people:
                values.update(_staff_quality(people, when, back))
            for code, (value, count) in values.items():
                if code not in kinds:  # reference data of another version
                    continue
                ctx.add(
                    SchoolIndicator(
                        school=s.obj, school_year=year, indicator_code=code, value=value, count=count
                    )
                )
        ctx.progress((i + 1) / n_years)


# --- step 6: SWOT ----------------------------------------------------------------------------------------------


@register_step("SWOT-анализ школ с низкими результатами", weight=0.02)
def _step_swot(ctx: DemoContext) -> None:
    rng = ctx.rng
    for s in ctx.schools:
        if "shnor" not in s.statuses.get(ctx.year, []):
            continue
        for quadrant in SWOT_QUADRANTS:
            pool = SWOT_POOL[quadrant]
            for pos, text in enumerate(rng.sample(pool, rng.randint(2, 4))):
                ctx.add(
                    SwotItem(school=s.obj, school_year=ctx.year, quadrant=quadrant, text=text, position=pos)
                )
