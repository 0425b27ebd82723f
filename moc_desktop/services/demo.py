"""Demonstration data: a believable invented municipality («Северный район») written through the ORM.

``generate_demo(factory, scale="S")`` fills an empty database with schools (names, contacts, contingent), their
statuses over three school years (ШНОР with sub-labels, ШНСУ, school-«наставник» pairs, «школа роста», consulting
centre…), ИОР for three calendar years, monitoring and staff-quality indicators (the latter computed from the
generated staff), SWOT of low-result schools, and pedagogical staff with moves between schools and courses (КПК);
the МОЦ's own staff (no school: director, deputy, methodists, psychologist, social pedagogue) and the head of the
education authority named as in the settings; one calendar year of orders (typical orders of a МОЦ with
appendices from the data, numbered in date order, some cancelled, a few drafts, controlled items done or overdue)
and protocols of its councils ending at ``today``; campaigns of the competence diagnostic (входная / промежуточная /
итоговая) with a card for every teacher of every school (:func:`_step_diagnostics` tells the rules); mentoring of
the current school year: school partnerships with agreements, roadmaps and events, teacher mentor pairs with plans
from the diagnostic deficits and meetings (:func:`_step_mentoring`); demo accounts of the program
(:func:`_step_users`) and three school years of the psychologist's journal, encrypted like real entries
(:func:`_step_psych`).

Demo accounts (created when absent): ``rukovoditel`` (руководитель МОЦ), ``metodist`` (методист), ``psiholog``
(педагог-психолог, named as the demo МОЦ's psychologist), all with the password :data:`DEMO_PASSWORD` = ``"demo-parol"`` — a demo base is for showing
the program, never for real data. No administrator is made: the program asks for one at its first start, with
the installer's own password. The summary lists the accounts (:attr:`DemoSummary.notes`); when ``psiholog``
creates the journal its recovery key is in :attr:`DemoSummary.recovery_key` and in the notes (printed once). If
the base already has a journal key that ``psiholog`` with the demo password cannot open, no journal entries are
made (``counts["psych_session"] == 0`` and a note says why).
Domain: ../DOMAIN «Who and what», «School statuses», «Staff», «Documents», «Competence diagnostic card»; seed 003
Tables 1–3, 13–16, Приложение 2–3 and order № 448-од; seed 002 (roadmap).

Everything is written in ONE transaction through the session factory, so the change log (a ``before_flush``
listener, ``db.changes``) gets one «insert» row per created record; a cancel or an error rolls everything back.

Extending: the generator is a list of steps (:data:`STEPS`) sharing a :class:`DemoContext` (session, random
generator, schools, persons, scale parameters). A later capability adds its records by appending a step and, if
it needs sizes, its own keys to :data:`SCALES`::

    from moc_desktop.services import demo

    demo.SCALES["S"]["psy_sessions"] = 80
    demo.SCALES["L"]["psy_sessions"] = 2000

    @demo.register_step("Работа педагога-психолога", weight=0.1)
    def _sessions(ctx: demo.DemoContext) -> None:
        for p in ctx.persons[: ctx.scale["psy_sessions"]]:
            ctx.add(PsySession(school=p.school.obj, ...))

Each step gets its own random generator seeded from ``(seed, step title)``, so adding a step never changes what
the earlier steps produce. Deterministic: the same ``seed`` and ``today`` give the same names and values
(record uuids stay random so two demo bases never clash on sync).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from moc_desktop.db.changes import write_audit
from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import (
    ChangeLog,
    Course,
    DiagCampaign,
    DiagCard,
    MentorMeeting,
    MentorPair,
    OrderDoc,
    PartnershipEvent,
    Person,
    Protocol,
    RefIndicator,
    RefSchoolStatus,
    School,
    SchoolIndicator,
    SchoolIor,
    SchoolPartnership,
    SchoolStatus,
    Setting,
    StaffMove,
    SwotItem,
)
from moc_desktop.services.common import current_school_year, fold, previous_school_years, school_year_of
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
    "DEMO_PASSWORD",
    "generate_demo",
    "register_step",
]

# --- public configuration ----------------------------------------------------------------------------------

#: Scale → sizes. Later capabilities add their own keys (cards, sessions, events…) to every scale.
SCALES: dict[str, dict[str, int]] = {
    "S": {
        "schools": 12,
        "staff": 300,
        "moc_methodists": 4,
        "orders": 40,
        "protocols": 12,
        "mentor_pairs": 50,
        "psych_sessions": 600,
    },
    "L": {
        "schools": 120,
        "staff": 6000,
        "moc_methodists": 6,
        "orders": 150,
        "protocols": 40,
        "mentor_pairs": 1500,
        "psych_sessions": 60000,
    },
}

#: Objects added before the session is flushed (the change log rows are written at each flush).
FLUSH_EVERY = 2500

#: Password of every demo account (see the module docstring). Shown in the summary; for demonstrations only.
DEMO_PASSWORD = "demo-parol"

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
    #: people without a school: role (director, deputy, methodist, psychologist, social, uo_head) → persons
    moc_staff: dict[str, list[Person]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    #: lines for the summary (accounts, the recovery key, what was skipped and why)
    notes: list[str] = field(default_factory=list)
    recovery_key: str | None = None
    #: the demo psychologist's account and the journal's data key (``None``: the journal cannot be written)
    psych_user_id: int | None = None
    journal_key: bytes | None = field(default=None, repr=False)
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
    #: Russian lines for the person who made the base: demo accounts and their password, the recovery key of the
    #: psychologist's journal (shown once), what was skipped
    notes: list[str] = field(default_factory=list)
    #: the recovery key of the journal when the demo created it (``None`` when the journal already existed)
    recovery_key: str | None = field(default=None, repr=False)

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
            "person": "работников",
            "staff_move": "записей о местах работы",
            "course": "курсов",
            "order_doc": "приказов",
            "protocol": "протоколов",
            "diag_campaign": "диагностик",
            "diag_card": "диагностических карт",
            "school_partnership": "партнёрств школ",
            "partnership_event": "мероприятий партнёрств",
            "mentor_pair": "наставнических пар",
            "mentor_meeting": "встреч наставников",
            "app_user": "учётных записей",
            "psych_session": "записей журнала педагога-психолога",
            "psych_client": "карточек клиентов психолога",
        }
        parts = [f"{labels.get(t, t)} — {n}" for t, n in self.counts.items() if t != "change_log"]
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        return "\n".join([f"Создано за {seconds} с: " + ", ".join(parts) + ".", *self.notes])


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
        write_audit(session, "demo", note=f"Созданы демонстрационные данные (размер {scale})")
        session.flush()
        session.info["audit"] = False  # one audit row for the whole generation, not one per created record
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
        _fill_settings(session, scale, seed, today)  # documents are written with the installation's identity
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
        ctx.check_cancel()
        counts = dict(ctx.counts)
        counts["change_log"] = (session.scalar(select(func.count()).select_from(ChangeLog)) or 0) - log_before
    report(1.0, "Готово")
    return DemoSummary(
        scale, seed, years, counts, time.perf_counter() - started, list(ctx.notes), ctx.recovery_key
    )


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
                gender="f" if name.female else "m",
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


# --- step 4a: МОЦ staff and the head of the education authority ------------------------------------------------

#: Subjects of the МОЦ methodists (one set each, in a shuffled order) and their areas of work.
METHODIST_SUBJECTS: tuple[tuple[str, ...], ...] = (
    ("русский язык", "литература"),
    ("математика",),
    ("начальные классы",),
    ("история", "обществознание"),
    ("английский язык",),
    ("физика", "информатика"),
    ("химия", "биология"),
)
METHODIST_AREAS = (
    "сопровождение школ с низкими образовательными результатами",
    "оценочные процедуры (ВПР, ГИА, региональные диагностические работы)",
    "наставничество и молодые специалисты",
    "всероссийская олимпиада школьников",
    "аттестация и повышение квалификации педагогических работников",
    "конкурсы профессионального мастерства",
    "функциональная грамотность",
)


def _setting(session: Session, key: str) -> str:
    """The installation's value of a setting, or the demo one when it is empty."""
    row = session.get(Setting, key)
    return (row.value if row is not None else "") or DEMO_SETTINGS.get(key, "")


def _lower_first(text: str) -> str:
    """«Начальник Управления …» → «начальник Управления …» (an abbreviation such as «МКУ» stays)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def parse_head_name(text: str) -> tuple[str, str, str, bool] | None:
    """«Т.Б. Киселева», «Киселева Т.Б.» or «Киселева Татьяна Борисовна» → (surname, first name or initial, patronymic
    or initial, female). ``None`` when the text is not a person's name."""
    tokens = text.replace(".", ". ").split()
    initials = [t[0] for t in tokens if t.endswith(".") and len(t) == 2 and t[0].isalpha()]
    words = [t for t in tokens if not (t.endswith(".") and len(t) == 2)]
    if len(words) == 3 and not initials:
        last, first, middle = words
        if middle.endswith(("ич", "оглы", "улы")):
            return last, first, middle, False
        if middle.endswith(("на", "кызы", "гызы")):
            return last, first, middle, True
        return last, first, middle, last.endswith(("а", "я"))
    if len(words) == 1 and 1 <= len(initials) <= 2 and words[0][:1].isupper():
        last = words[0]
        return last, initials[0], initials[1] if len(initials) > 1 else "", last.endswith(("а", "я"))
    return None


def _uo_head_plan(ctx: DemoContext, text: str) -> NamePlan | None:
    """A full name agreeing with the settings' «Т.Б. Киселева»: the surname as written, a first name and a
    patronymic with those initials (from the demo lists), so documents signed «Т.Б. Киселева» and the person
    «Киселева Татьяна Борисовна» are one and the same."""
    parsed = parse_head_name(text)
    if parsed is None:
        return None
    last, first, middle, female = parsed
    rng = ctx.rng
    if len(first) == 1:
        pool = FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES
        names = sorted(n for n in pool if n[0] == first.upper())
        if not names:
            return None
        first = rng.choice(names)
    if len(middle) <= 1:
        pats = sorted({p[1 if female else 0] for p in PATRONYMICS if not middle or p[0][0] == middle.upper()})
        if not pats:
            return None
        middle = rng.choice(pats)
    for _ in range(100):
        by = rng.randint(ctx.today.year - 62, ctx.today.year - 45)
        key = (fold(last), fold(first), fold(middle), by)
        if key not in ctx.person_keys:
            ctx.person_keys.add(key)
            return NamePlan(female, last, first, middle, by)
    return None  # pragma: no cover


@register_step("Сотрудники МОЦ", weight=0.01)
def _step_moc_staff(ctx: DemoContext) -> None:
    """The МОЦ's own staff (no school): director, deputy, methodists, a psychologist and a social pedagogue; and
    the head of the education authority named as in the settings (the signatory of orders)."""
    rng = ctx.rng
    today = ctx.today
    session = ctx.session
    moc = _setting(session, "moc_name")
    y = today.year
    plan: list[tuple[str, str, float, int, int]] = [  # role, position, share of women, birth years
        ("director", "директор", 0.75, y - 62, y - 42),
        ("deputy", "заместитель директора", 0.8, y - 60, y - 35),
    ]
    plan += [("methodist", "методист", 0.85, y - 63, y - 26)] * ctx.scale.get("moc_methodists", 4)
    plan += [
        ("psychologist", "педагог-психолог", 0.9, y - 55, y - 25),
        ("social", "социальный педагог", 0.9, y - 58, y - 25),
    ]
    subjects_pool = list(METHODIST_SUBJECTS)
    rng.shuffle(subjects_pool)
    office = rng.randint(20, 39)
    n_methodist = 0
    for role, position, p_female, lo, hi in plan:
        name = ctx.new_name(rng.random() < p_female, rng.randint(lo, hi))
        by = name.birth_year
        subjects: tuple[str, ...] = ()
        note = ""
        if role == "methodist":
            subjects = subjects_pool[n_methodist % len(subjects_pool)]
            note = "Направление работы: " + METHODIST_AREAS[n_methodist % len(METHODIST_AREAS)]
            n_methodist += 1
        career = max(1, y - by - 23)
        exp = rng.randint(max(1, career * 2 // 3), career)
        if exp < 3:
            category = "без категории"
        elif role in ("director", "deputy"):
            category = _weighted(rng, ["высшая", "первая", "без категории"], [6, 2, 2])
        else:
            category = _weighted(rng, ["высшая", "первая", "соответствие занимаемой должности"], [4, 4, 1])
        cat_date = None
        if category != "без категории":
            cat_date = today - timedelta(days=rng.randint(20, 5 * 365 - 30))
        local = f"{translit(name.last)}.{translit(name.first[0])}{translit(name.middle[0])}"
        person = Person(
            last_name=name.last,
            first_name=name.first,
            middle_name=name.middle,
            birth_year=by,
            school=None,
            positions=position,
            subjects="; ".join(subjects),
            education=_weighted(rng, ["высшее педагогическое", "высшее"], [9, 1]),
            category=category,
            category_date=cat_date,
            experience_years=exp,
            phone=f"8 ({PHONE_CODE}) 2-{office}-{rng.randint(10, 99)}",
            email=f"{local}@{_weighted(rng, ['mail.ru', 'yandex.ru'], [3, 2])}",
            note=note,
            gender="f" if name.female else "m",
            doc_post=f"{position} {moc}",
        )
        ctx.add(person)
        ctx.moc_staff.setdefault(role, []).append(person)
    head = _uo_head_plan(ctx, _setting(session, "uo_head_name"))
    if head is not None:
        post = _lower_first(_setting(session, "uo_head_post"))
        person = Person(
            last_name=head.last,
            first_name=head.first,
            middle_name=head.middle,
            birth_year=head.birth_year,
            school=None,
            positions=post,
            education="высшее педагогическое",
            category="",
            experience_years=rng.randint(20, max(20, y - head.birth_year - 23)),
            phone=f"8 ({PHONE_CODE}) 2-{rng.randint(10, 19)}-{rng.randint(10, 99)}",
            note=_setting(session, "uo_full_name"),
            gender="f" if head.female else "m",
            doc_post=post,
        )
        ctx.add(person)
        ctx.moc_staff["uo_head"] = [person]


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


# --- step 7: orders and protocols ------------------------------------------------------------------------------

REGION_GEN = "Таёжного автономного округа"
#: The regional education authority (invented, like the region).
REGION_DEPT = f"Департамента образования и науки {REGION_GEN}"
UO_GEN = f"Управления образования администрации {DISTRICT_GEN}"

LAW_273 = {
    "kind": "Федеральным законом",
    "date": "2012-12-29",
    "number": "273-ФЗ",
    "title": "Об образовании в Российской Федерации",
}
MENTORING_MODEL = {
    "kind": "распоряжением",
    "issuer": "Министерства просвещения Российской Федерации",
    "date": "2019-12-25",
    "number": "Р-145",
    "title": "Об утверждении методологии (целевой модели) наставничества обучающихся для организаций, "
    "осуществляющих образовательную деятельность по общеобразовательным, дополнительным общеобразовательным "
    "и программам среднего профессионального образования, в том числе с применением лучших практик обмена "
    "опытом между обучающимися",
}
OLYMPIAD_ORDER = {
    "kind": "приказом",
    "issuer": "Министерства просвещения Российской Федерации",
    "date": "2020-11-27",
    "number": "678",
    "title": "Об утверждении Порядка проведения всероссийской олимпиады школьников",
}
SEMINAR_TOPICS = (
    "Профессиональное выгорание педагога: профилактика и преодоление",
    "Формирование функциональной грамотности обучающихся: от диагностики к результату",
    "Объективность оценивания образовательных результатов",
    "Наставничество в школе: целевая модель и успешные практики",
    "Работа с обучающимися с низкой учебной мотивацией",
    "Подготовка к ГИА в школах с низкими образовательными результатами",
    "Сетевое взаимодействие школ как ресурс повышения качества образования",
    "Психолого-педагогическое сопровождение обучающихся с ОВЗ",
    "Внутренняя система оценки качества образования в школе",
    "Читательская грамотность на уроках в начальной школе",
    "Профилактика деструктивного поведения обучающихся",
    "Цифровые образовательные ресурсы в работе учителя",
)
SEMINAR_FORMS = (  # (genitive for the title, accusative for «Провести …»)
    ("муниципального семинара", "муниципальный семинар"),
    ("муниципального семинара-практикума", "муниципальный семинар-практикум"),
    ("муниципального круглого стола", "муниципальный круглый стол"),
    ("муниципальной педагогической мастерской", "муниципальную педагогическую мастерскую"),
)
PROCEDURES = (  # assessment orders: {district}, {cal} (calendar year), {sy} (school year)
    "О проведении всероссийских проверочных работ в общеобразовательных организациях {district} в {cal} году",
    "О проведении региональных диагностических работ по функциональной грамотности в {sy} учебном году",
    "Об обеспечении объективности проведения оценочных процедур в {sy} учебном году",
    "О проведении мониторинга читательской грамотности обучающихся 6-х классов в {sy} учебном году",
    "О проведении муниципальной диагностической работы по математике в 9-х классах в {sy} учебном году",
)
ROADMAP_EVENTS = (
    ("Корректировка программ антирисковых мер школ с низкими образовательными результатами", 9, "methodist"),
    (
        "Назначение кураторов школ с низкими образовательными результатами из числа методистов МОЦ",
        9,
        "deputy",
    ),
    ("Диагностика профессиональных компетенций и дефицитов педагогов школ", 10, "methodist"),
    ("Разработка индивидуальных образовательных маршрутов педагогов по итогам диагностики", 11, "methodist"),
    ("Заседание методического совета по итогам первого полугодия", 12, "director"),
    (
        "Семинар-практикум «Профессиональное выгорание педагога: профилактика и преодоление»",
        1,
        "psychologist",
    ),
    ("Взаимопосещение уроков педагогами школ-наставников и школ с низкими результатами", 2, "methodist"),
    ("Мониторинг реализации программ антирисковых мер (самооценка школ)", 3, "deputy"),
    ("Методическое сопровождение подготовки к ВПР и ГИА", 4, "methodist"),
    ("Анализ результатов оценочных процедур, подготовка аналитической справки", 6, "deputy"),
)
REVOKE_REASONS = (
    "В связи с изменением сроков проведения мероприятия",
    "В связи с приведением муниципальных правовых актов в соответствие с приказом "
    f"{REGION_DEPT} от {{date}} № {{number}}",
    "В связи с выявленными техническими ошибками в приложении к приказу",
)
#: (body, weight): the Педагогический совет belongs to schools, the МОЦ rarely holds one.
PROTOCOL_BODY_WEIGHTS = {
    "Методический совет": 4,
    "Совет МОЦ": 2,
    "Муниципальное методическое объединение (УМО)": 3,
    "Рабочая группа": 2,
    "Педагогический совет": 0.3,
}
#: Orders issued once a school year: kind → (month, first day, last day).
YEARLY_ORDERS: dict[str, tuple[int, int, int]] = {
    "plan": (8, 25, 31),
    "council": (9, 1, 10),
    "olympiad_school": (9, 1, 10),
    "mentoring": (9, 5, 15),
    "curators": (9, 10, 20),
    "roadmap": (9, 20, 30),
    "olympiad_municipal": (10, 20, 31),
    "olympiad_results": (12, 15, 28),
    "courses": (1, 12, 23),
    "contest": (1, 15, 31),
    "summary": (6, 10, 25),
}
#: Months of the school year: orders are rare in July and early August.
_MONTH_WEIGHT = {7: 0.25, 8: 0.6}


MONTHS_NOM = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split()


def _workday(d: date, lo: date | None = None) -> date:
    """The working day on or before ``d`` (or after it when that would fall before ``lo``)."""
    back = d
    while back.weekday() >= 5:
        back -= timedelta(days=1)
    if lo is None or back >= lo:
        return back
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _planning_year(d: date, known: list[str]) -> str:
    """School year an order of ``d`` is about: from August on, the coming one (statuses are given in August)."""
    y = d.year if d.month >= 8 else d.year - 1
    sy = f"{y}/{y + 1}"
    if sy in known:
        return sy
    return known[-1] if sy > known[-1] else known[0]


def _numeric(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def _in_words(d: date) -> str:
    months = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
    return f"{d.day} {months[d.month - 1]} {d.year} г."


@dataclass
class _PlannedDoc:
    seq: int
    when: date
    kind: str
    status: str  # draft | signed | cancelled
    reg_year: int | None = None
    number: int | None = None
    param: object = None
    data: dict = field(default_factory=dict)
    revokes: _PlannedDoc | None = None
    revoked_by: _PlannedDoc | None = None


class _DocWriter:
    """Orders and protocols of one calendar year ending at ``ctx.today`` (see :func:`_step_documents`)."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng
        s = ctx.session
        self.moc = _setting(s, "moc_name")
        self.suffix = _setting(s, "order_suffix")
        self.uo_post = _setting(s, "uo_head_post")
        self.uo_name = _setting(s, "uo_head_name")
        staff = ctx.moc_staff
        self.director = staff["director"][0]
        self.deputy = (staff.get("deputy") or staff["director"])[0]
        self.methodists = staff.get("methodist") or [self.deputy]
        self.psychologist = (staff.get("psychologist") or self.methodists)[0]
        self.social = (staff.get("social") or self.methodists)[0]
        self.heads: dict[DemoSchool, Person] = {}
        for p in ctx.persons:
            self.heads.setdefault(p.school, p.obj)  # the first person of a school is its head
        self.status_titles = dict(s.execute(select(RefSchoolStatus.code, RefSchoolStatus.title)).all())
        self.start = ctx.today - timedelta(days=364)
        self.when = ctx.today
        self.used_titles: set[str] = set()
        # curators: the methodists share the schools, low-result ones first
        self.curator: dict[DemoSchool, Person] = {}
        ordered = sorted(
            ctx.schools, key=lambda sc: ("shnor" not in sc.statuses.get(ctx.year, []), sc.quality)
        )
        for i, sc in enumerate(ordered):
            self.curator[sc] = self.methodists[i % len(self.methodists)]

    # --- people ---------------------------------------------------------------------------------------------

    @staticmethod
    def ref(p: Person, post: str | None = None) -> dict:
        out: dict = {"person_id": p.id}
        if post:
            out["post"] = post
        return out

    def head_ref(self, sc: DemoSchool) -> dict:
        post = f"{sc.obj.director_post} {sc.obj.short_name}"
        p = self.heads.get(sc)
        return self.ref(p, post) if p is not None else {"name": sc.obj.director_name, "post": post}

    @staticmethod
    def fio(p: Person) -> str:
        return f"{p.last_name} {p.first_name} {p.middle_name}"

    @staticmethod
    def short(p: Person) -> str:
        return f"{p.last_name} {p.first_name[0]}.{p.middle_name[0]}."

    def head_short(self, sc: DemoSchool) -> str:
        p = self.heads.get(sc)
        if p is None:
            parts = sc.obj.director_name.split()
            return f"{parts[1][0]}.{parts[2][0]}. {parts[0]}" if len(parts) == 3 else sc.obj.director_name
        return f"{p.first_name[0]}.{p.middle_name[0]}. {p.last_name}"

    def who(self, p: Person, post: str = "") -> str:
        """«Иванова М.П., методист МКУ …» for protocols."""
        return f"{self.short(p)}, {post or p.doc_post or p.positions.split(';')[0]}"

    def methodist_for(self, area: int) -> Person:
        return self.methodists[area % len(self.methodists)]

    # --- item helpers -----------------------------------------------------------------------------------------

    def deadline(self, days: int) -> str:
        return _workday(self.when + timedelta(days=days), self.when).isoformat()

    def item(self, text: str, resp: dict | None = None, days: int | None = None, **extra) -> dict:
        """An item; a deadline without a responsible person is written into the text («… в срок до …»), as
        an order addressed to all heads of schools does (it is not a controlled task then)."""
        if days is not None and not resp:
            end = text[-1] if text[-1] in ".;" else ""
            text = text.rstrip(".;") + f" в срок до {_numeric(date.fromisoformat(self.deadline(days)))}{end}"
            days = None
        it: dict = {"text": text}
        if resp:
            it["responsible"] = resp
        if days is not None:
            it["deadline"] = self.deadline(days)
        it.update(extra)
        return it

    def sub(self, text: str, resp: dict | None = None, days: int | None = None, **extra) -> dict:
        """A sub-item: a sentence of its own («4.1. Разработать …»), as in seed 003."""
        text = text[0].upper() + text[1:]
        if text.endswith((";", ",")):
            text = text[:-1] + "."
        return self.item(text, resp, days, **extra)

    def shnor(self, sy: str) -> list[DemoSchool]:
        return [sc for sc in self.ctx.schools if "shnor" in sc.statuses.get(sy, [])]

    def regional(self, title: str, months_before: int = 3) -> dict:
        d = _workday(self.when - timedelta(days=30 * months_before + self.rng.randint(0, 25)))
        return {
            "kind": "приказом",
            "issuer": REGION_DEPT,
            "date": d.isoformat(),
            "number": f"{self.rng.randint(120, 1650)}",
            "title": title,
        }

    def municipal(self, title: str) -> dict:
        d = _workday(self.when - timedelta(days=self.rng.randint(200, 700)))
        return {
            "kind": "приказом",
            "issuer": UO_GEN,
            "date": d.isoformat(),
            "number": f"{self.rng.randint(40, 520)}{self.suffix}",
            "title": title,
        }

    @staticmethod
    def order(title: str, basis: list[dict], purpose: str, items: list[dict], **extra) -> dict:
        data = {
            "title": title,
            "basis": basis,
            "preamble": "В соответствии с {основания}, " + purpose + ",",
            "items": items,
            "appendices": [],
            "acquaintance": [],
        }
        data.update(extra)
        return data

    # --- typical orders (DOMAIN «Documents»; seed 003 order № 448-од, seed 002 roadmap) -----------------------

    def t_statuses(self, sy: str, codes: tuple[str, ...], title: str) -> dict:
        y = int(sy[:4])
        basis_text = {
            "shnor": f"Результаты ИОР за {y - 3}–{y - 1} годы",
            "shnsu": "Социальный паспорт школы, мониторинг контингента",
            "growth": "Положительная динамика образовательных результатов",
            "mentor": "Высокие образовательные результаты, опыт сетевого взаимодействия",
            "consulting": "Решение методического совета, заявка образовательной организации",
            "leader": "Высокие образовательные результаты, рейтинг общеобразовательных организаций",
            "rip": f"Приказ {REGION_DEPT} о присвоении статуса",
            "internship": "Решение методического совета",
        }
        rows = []
        for sc in sorted(self.ctx.schools, key=lambda x: x.obj.short_name):
            for code in codes:
                if code in sc.statuses.get(sy, []):
                    status = self.status_titles.get(code, code)
                    if code == "shnor" and sc.shnor_labels.get(sy):
                        status += f" ({sc.shnor_labels[sy]})"
                    rows.append([sc.obj.short_name, status, basis_text.get(code, "")])
        rows.sort(key=lambda r: (r[1], r[0]))
        table = [[str(i), *r] for i, r in enumerate(rows, start=1)]
        m = self.methodist_for(0)
        items = [
            self.item(
                f"Присвоить статусы общеобразовательным организациям {DISTRICT_GEN} на {sy} учебный год "
                "согласно перечню.",
                appendix=0,
            ),
            self.item(
                "Руководителям общеобразовательных организаций, получивших статус, разработать и утвердить "
                "планы работы на учебный год и направить их в МОЦ.",
                days=30,
            ),
            self.item(
                "Обеспечить методическое сопровождение образовательных организаций и мониторинг "
                "реализации планов работы.",
                self.ref(m),
                120,
            ),
        ]
        data = self.order(
            title,
            [
                LAW_273,
                self.regional(
                    "О реализации проекта адресной методической помощи общеобразовательным "
                    "организациям, имеющим низкие образовательные результаты обучающихся"
                ),
            ],
            "по итогам комплексного анализа результатов оценочных процедур, в целях повышения качества "
            "образования в общеобразовательных организациях района",
            items,
        )
        data["appendices"] = [
            {
                "title": f"Перечень общеобразовательных организаций {DISTRICT_GEN}, получивших статусы на {sy} "
                "учебный год",
                "headers": ["№ п/п", "Образовательная организация", "Статус", "Основание"],
                "rows": table,
                "widths": [1, 5, 5, 5],
            }
        ]
        return data

    def t_mentors(self, sy: str) -> dict:
        pairs = self.ctx.mentor_pairs.get(sy, [])
        rows = [
            [m.obj.short_name, self.head_short(m), low.obj.short_name, self.head_short(low)]
            for m, low in pairs
        ]
        first_low = pairs[0][1] if pairs else None
        items = [
            self.item(
                "Закрепить школы-наставники за школами с низкими образовательными результатами.", appendix=0
            ),
            self.item(
                "Руководителям школ-наставников и школ с низкими образовательными результатами:",
                children=[
                    self.sub("заключить соглашения о сетевом взаимодействии;", self.head_ref(pairs[0][0]), 20)
                    if pairs
                    else self.sub("заключить соглашения о сетевом взаимодействии;"),
                    self.sub(
                        "разработать совместные планы работы на учебный год и направить их в МОЦ.",
                        self.head_ref(first_low) if first_low else None,
                        30,
                    ),
                ],
            ),
            self.item(
                "Обеспечить мониторинг реализации совместных планов и представить информацию "
                "по итогам первого полугодия.",
                self.ref(self.methodist_for(0)),
                120,
            ),
        ]
        data = self.order(
            f"О закреплении наставников за школами с низкими образовательными результатами на {sy} учебный год",
            [
                LAW_273,
                self.regional(
                    "Об организации наставничества общеобразовательных организаций, имеющих "
                    "низкие образовательные результаты"
                ),
            ],
            "в целях оказания адресной методической помощи школам с низкими образовательными результатами",
            items,
        )
        data["appendices"] = [
            {
                "title": f"Закрепление школ-наставников за школами с низкими образовательными результатами на {sy} "
                "учебный год",
                "headers": [
                    "Школа-наставник",
                    "Руководитель",
                    "Школа с низкими результатами",
                    "Руководитель",
                ],
                "rows": rows,
                "widths": [5, 3, 5, 3],
            }
        ]
        return data

    def t_mentoring(self, sy: str) -> dict:
        when = _reference_date(self.ctx, sy)
        by_school: dict[DemoSchool, list[DemoPerson]] = {}
        for p in self.ctx.persons:
            by_school.setdefault(p.school, []).append(p)
        rows = []
        for sc in sorted(by_school, key=lambda x: x.obj.short_name):
            people = by_school[sc]
            young = [p for p in people if p.experience < 3 and p.moves[-1][1] <= when]
            seniors = [
                p
                for p in people
                if p.experience >= 10 and p.category in ("высшая", "первая") and p not in young
            ]
            for k, y in enumerate(young):
                if not seniors:
                    break
                m = seniors[k % len(seniors)]
                rows.append([sc.obj.short_name, self.fio(m.obj), self.fio(y.obj)])
        table = [[str(i), *r] for i, r in enumerate(rows, start=1)]
        m = self.methodist_for(2)
        items = [
            self.item(
                "Утвердить перечень наставнических пар в общеобразовательных организациях.", appendix=0
            ),
            self.item(
                "Руководителям общеобразовательных организаций:",
                children=[
                    self.sub("издать локальные акты об организации наставничества;", days=20),
                    self.sub("обеспечить разработку индивидуальных планов развития наставляемых."),
                ],
            ),
            self.item(
                "Организовать методическое сопровождение наставников и проведение муниципальной школы "
                "молодого педагога.",
                self.ref(m),
                60,
            ),
            self.item(
                "Провести мониторинг эффективности наставничества и подготовить аналитическую справку.",
                self.ref(m),
                240,
            ),
        ]
        data = self.order(
            f"Об организации наставничества педагогических работников в общеобразовательных организациях "
            f"{DISTRICT_GEN} в {sy} учебном году",
            [LAW_273, MENTORING_MODEL],
            "в целях профессионального становления молодых специалистов и закрепления их в профессии",
            items,
        )
        data["appendices"] = [
            {
                "title": "Наставнические пары в общеобразовательных организациях",
                "headers": [
                    "№ п/п",
                    "Образовательная организация",
                    "Наставник",
                    "Наставляемый (молодой специалист)",
                ],
                "rows": table,
                "widths": [1, 5, 5, 5],
            }
        ]
        return data

    def t_diagnostics(self, sy: str, subject: str) -> dict:
        schools = self.shnor(sy) or self.ctx.schools[:3]
        d1 = _workday(self.when + timedelta(days=self.rng.randint(10, 20)), self.when)
        d2 = _workday(d1 + timedelta(days=self.rng.randint(10, 21)), d1)
        counts: dict[DemoSchool, int] = {}
        for p in self.ctx.persons:
            counts[p.school] = counts.get(p.school, 0) + 1
        rows = [
            [
                str(i),
                sc.obj.short_name,
                f"{sc.obj.director_post} {self.head_short(sc)}",
                str(counts.get(sc, 0)),
                f"{_numeric(d1)}–{_numeric(d2)}",
            ]
            for i, sc in enumerate(schools, start=1)
        ]
        m = self.methodist_for(0)
        items = [
            self.item(
                f"Провести в период с {_numeric(d1)} по {_numeric(d2)} диагностику профессиональных компетенций "
                f"{subject} школ с низкими образовательными результатами.",
                appendix=0,
            ),
            self.item(
                "Руководителям общеобразовательных организаций обеспечить участие педагогических работников "
                "в диагностике.",
                self.head_ref(schools[0]),
                (d2 - self.when).days,
            ),
            self.item(
                "Обработать результаты диагностики и подготовить аналитическую справку.",
                self.ref(m),
                (d2 - self.when).days + 14,
                children=[
                    self.sub("выявить профессиональные дефициты педагогов;"),
                    self.sub(
                        "разработать индивидуальные образовательные маршруты педагогов.",
                        self.ref(m),
                        (d2 - self.when).days + 30,
                    ),
                ],
            ),
            self.item(
                "Провести диагностику профессионального выгорания педагогических работников и консультации "
                "по её итогам.",
                self.ref(self.psychologist),
                (d2 - self.when).days + 7,
            ),
        ]
        return self.order(
            f"О проведении диагностики профессиональных компетенций {subject} школ с низкими "
            "образовательными результатами",
            [
                LAW_273,
                self.regional(
                    "О проведении диагностики профессиональных компетенций педагогических работников"
                ),
            ],
            "в целях выявления профессиональных дефицитов педагогов и построения индивидуальных образовательных "
            "маршрутов",
            items,
            appendices=[
                {
                    "title": "Перечень общеобразовательных организаций, участвующих в диагностике",
                    "headers": [
                        "№ п/п",
                        "Образовательная организация",
                        "Ответственный (руководитель ОО)",
                        "Педагогов",
                        "Сроки проведения",
                    ],
                    "rows": rows,
                    "widths": [1, 5, 4, 2, 3],
                }
            ],
        )

    def t_roadmap(self, sy: str) -> dict:
        y = int(sy[:4])
        who = {
            "director": self.director,
            "deputy": self.deputy,
            "psychologist": self.psychologist,
        }
        rows = []
        for i, (text, month, role) in enumerate(ROADMAP_EVENTS, start=1):
            p = who.get(role) or self.methodists[i % len(self.methodists)]
            year = y if month >= 8 else y + 1
            rows.append(
                [
                    str(i),
                    text,
                    f"{MONTHS_NOM[month - 1]} {year} г.",
                    f"{self.short(p)}, {p.positions}",
                ]
            )
        schools = self.shnor(sy)
        children = [
            self.item(
                f"{sc.obj.short_name} ({self.head_short(sc)}): актуализировать программу антирисковых мер.",
                self.head_ref(sc),
                30,
            )
            for sc in schools[:3]
        ]
        items = [
            self.item(
                f"Утвердить план мероприятий («дорожную карту») по сопровождению школ с низкими образовательными "
                f"результатами на {sy} учебный год.",
                appendix=0,
            ),
            self.item("Руководителям школ с низкими образовательными результатами:", children=children)
            if children
            else self.item(
                "Руководителям общеобразовательных организаций обеспечить выполнение мероприятий."
            ),
            self.item(
                "Обеспечить реализацию мероприятий «дорожной карты» кураторами школ.",
                self.ref(self.deputy),
                110,
            ),
            self.item(
                "Представить информацию о ходе реализации «дорожной карты» по итогам учебного года.",
                self.ref(self.deputy),
                270,
            ),
        ]
        return self.order(
            f"Об утверждении дорожной карты по сопровождению школ с низкими образовательными результатами на {sy} "
            "учебный год",
            [
                LAW_273,
                self.regional(
                    "Об утверждении плана мероприятий («дорожной карты») по повышению качества "
                    "образования в общеобразовательных организациях с низкими образовательными "
                    "результатами"
                ),
            ],
            "в целях повышения качества образования и перевода школ с низкими образовательными результатами "
            "в эффективный режим работы",
            items,
            appendices=[
                {
                    "title": f"План мероприятий («дорожная карта») по сопровождению школ с низкими "
                    f"образовательными результатами на {sy} учебный год",
                    "headers": ["№ п/п", "Мероприятие", "Срок", "Ответственный"],
                    "rows": rows,
                    "widths": [1, 8, 3, 4],
                }
            ],
        )

    def t_low_results(self, sy: str, sc: DemoSchool) -> dict:
        mentor = next((m for m, low in self.ctx.mentor_pairs.get(sy, []) if low is sc), None)
        swot = [
            t
            for (t,) in self.ctx.session.execute(
                select(SwotItem.text)
                .where(SwotItem.school_id == sc.obj.id, SwotItem.quadrant.in_(("weaknesses", "threats")))
                .order_by(SwotItem.id)
            )
        ] or list(SWOT_POOL["weaknesses"][:3])
        measures = (
            "Разработка и реализация программы антирисковых мер",
            "Индивидуальные образовательные маршруты педагогов",
            "Работа с родителями (законными представителями), совместные мероприятия",
            "Методическое сопровождение школой-наставником",
            "Внутришкольный контроль объективности оценивания",
        )
        rows = [
            [
                str(i),
                t,
                measures[(i - 1) % len(measures)],
                _numeric(_workday(self.when + timedelta(days=30 * i))),
            ]
            for i, t in enumerate(swot[:6], start=1)
        ]
        head = self.head_ref(sc)
        items = [
            self.item(
                f"Директору {sc.obj.short_name} ({self.head_short(sc)}):"
                if sc.obj.director_post == "директор"
                else f"Исполняющему обязанности директора {sc.obj.short_name} ({self.head_short(sc)}):",
                children=[
                    self.sub("провести анализ причин низких образовательных результатов;", head, 14),
                    self.sub("разработать и утвердить программу антирисковых мер;", head, 30, appendix=0),
                    self.sub(
                        "обеспечить прохождение курсов повышения квалификации педагогами школы.", head, 120
                    ),
                ],
            ),
        ]
        if mentor is not None:
            items.append(
                self.item(
                    f"Директору {mentor.obj.short_name} ({self.head_short(mentor)}) как школе-наставнику "
                    "организовать взаимопосещение уроков и совместные методические мероприятия.",
                    self.head_ref(mentor),
                    60,
                )
            )
        items += [
            self.item(
                "Обеспечить адресное методическое сопровождение школы и представить отчёт.",
                self.ref(self.curator.get(sc, self.methodists[0])),
                90,
            ),
            self.item(
                "Провести психологическую диагностику обучающихся и консультации для педагогов.",
                self.ref(self.psychologist),
                45,
            ),
        ]
        return self.order(
            f"О принятии мер по устранению низких образовательных результатов в {sc.obj.short_name} в {sy} учебном году",
            [
                LAW_273,
                self.municipal(
                    "Об утверждении муниципальной программы поддержки школ с низкими "
                    "образовательными результатами"
                ),
            ],
            f"по итогам анализа образовательных результатов {sc.obj.short_name}, в целях перевода школы "
            "в эффективный режим работы",
            items,
            appendices=[
                {
                    "title": f"Выявленные риски и меры по их устранению ({sc.obj.short_name})",
                    "headers": ["№ п/п", "Выявленная проблема", "Мера", "Срок"],
                    "rows": rows,
                    "widths": [1, 6, 6, 2.5],
                }
            ],
        )

    def t_seminar(self, sy: str, param: tuple[tuple[str, str], str]) -> dict:
        (form_gen, form_acc), topic = param
        host = self.rng.choice([sc for sc in self.ctx.schools if sc.in_centre] or self.ctx.schools)
        day = _workday(self.when + timedelta(days=self.rng.randint(10, 30)), self.when)
        m = self.rng.choice(self.methodists)
        psychologists = [p for p in self.ctx.persons if "педагог-психолог" in p.positions]
        speakers = [(self.director, "Открытие. Приветственное слово")]
        speakers.append(
            (self.psychologist if "выгоран" in topic.lower() else m, f"«{topic}»: основные подходы")
        )
        for p in self.rng.sample(psychologists, min(2, len(psychologists))):
            speakers.append((p.obj, "Из опыта работы: практики образовательной организации"))
        speakers.append((m, "Подведение итогов, рефлексия"))
        rows = []
        t = 10 * 60
        for i, (p, theme) in enumerate(speakers, start=1):
            length = 15 if i in (1, len(speakers)) else 30
            span = f"{t // 60:02d}:{t % 60:02d}–{(t + length) // 60:02d}:{(t + length) % 60:02d}"
            rows.append([str(i), span, theme, self.short(p)])
            t += length
        items = [
            self.item(f"Провести {_in_words(day)} {form_acc} «{topic}» на базе {host.obj.short_name}."),
            self.item("Утвердить программу мероприятия.", appendix=0),
            self.item(
                "Руководителям общеобразовательных организаций обеспечить участие педагогических работников "
                "в мероприятии."
            ),
            self.item(
                "Обеспечить организационно-техническое сопровождение мероприятия.",
                self.head_ref(host),
                (day - self.when).days,
            ),
            self.item(
                "Подготовить материалы мероприятия и аналитическую справку по его итогам.",
                self.ref(m),
                (day - self.when).days + 10,
                children=[
                    self.sub("разместить материалы на сайте МОЦ;"),
                    self.sub("провести анкетирование участников."),
                ],
            ),
        ]
        return self.order(
            f"О проведении {form_gen} «{topic}»",
            [LAW_273, self.municipal(f"Об утверждении плана работы {self.moc} на {sy} учебный год")],
            "в целях повышения профессиональной компетентности педагогических работников",
            items,
            appendices=[
                {
                    "title": f"Программа {form_gen} «{topic}»",
                    "headers": ["№ п/п", "Время", "Тема выступления", "Выступающий"],
                    "rows": rows,
                    "widths": [1, 2.5, 8, 4],
                }
            ],
        )

    def t_visit(self, sy: str, sc: DemoSchool) -> dict:
        """«Выездной методический день»: a team of the МОЦ visits a school (seed 002: curators' visits)."""
        day = _workday(self.when + timedelta(days=self.rng.randint(7, 25)), self.when)
        lead = self.curator.get(sc, self.methodists[0])
        team = [(self.deputy, "руководитель группы, управление качеством образования")]
        team.append((lead, "куратор школы, методическое сопровождение"))
        others = [m for m in self.methodists if m is not lead]
        for m in self.rng.sample(others, min(2, len(others))):
            team.append((m, "посещение уроков, анализ рабочих программ"))
        team.append((self.psychologist, "психолого-педагогическое сопровождение"))
        rows = [[str(i), self.fio(p), p.positions, area] for i, (p, area) in enumerate(team, start=1)]
        head = self.head_ref(sc)
        until = (day - self.when).days
        items = [
            self.item(f"Провести {_in_words(day)} выездной методический день в {sc.obj.short_name}."),
            self.item("Утвердить состав группы специалистов МОЦ.", appendix=0),
            self.item(
                "Руководителю образовательной организации обеспечить условия работы группы:",
                children=[
                    self.sub("организовать посещение уроков и внеурочных занятий;", head, until),
                    self.sub(
                        "представить рабочие программы, план внутришкольного контроля, результаты ВСОКО.",
                        head,
                        max(1, until - 2),
                    ),
                ],
            ),
            self.item(
                "Подготовить справку по итогам методического дня с адресными рекомендациями.",
                self.ref(self.deputy),
                until + 10,
            ),
        ]
        return self.order(
            f"О проведении выездного методического дня в {sc.obj.short_name}",
            [LAW_273, self.municipal(f"Об утверждении плана работы {self.moc} на {sy} учебный год")],
            "в целях оказания адресной методической помощи общеобразовательной организации",
            items,
            appendices=[
                {
                    "title": "Состав группы специалистов МОЦ",
                    "headers": ["№ п/п", "ФИО", "Должность", "Направление работы"],
                    "rows": rows,
                    "widths": [1, 5, 3.5, 6],
                }
            ],
        )

    def t_olympiad(self, sy: str, stage: str) -> dict:
        m = self.methodist_for(3)
        subjects = [
            "русский язык",
            "математика",
            "английский язык",
            "биология",
            "история",
            "физика",
            "обществознание",
            "литература",
            "химия",
            "география",
            "информатика",
            "физическая культура",
        ]
        d = _workday(self.when + timedelta(days=14), self.when)
        rows = []
        for i, subject in enumerate(subjects, start=1):
            rows.append(
                [
                    str(i),
                    subject,
                    _numeric(d),
                    "общеобразовательные организации"
                    if stage == "школьного"
                    else self.ctx.schools[0].obj.short_name,
                ]
            )
            d = _workday(d + timedelta(days=self.rng.choice([1, 2, 3])), d)
        items = [
            self.item(
                f"Провести {stage} этап всероссийской олимпиады школьников в {sy} учебном году "
                "согласно графику.",
                appendix=0,
            ),
            self.item(f"Назначить ответственным за организацию {stage} этапа методиста МОЦ.", self.ref(m)),
            self.item(
                "Руководителям общеобразовательных организаций:",
                children=[
                    self.sub("обеспечить участие обучающихся и соблюдение порядка проведения олимпиады;"),
                    self.sub("назначить ответственных за сопровождение участников."),
                ],
            ),
            self.item(
                f"Представить отчёт о результатах {stage} этапа олимпиады.",
                self.ref(m),
                (d - self.when).days + 14,
            ),
        ]
        return self.order(
            f"О проведении {stage} этапа всероссийской олимпиады школьников в {sy} учебном году",
            [LAW_273, OLYMPIAD_ORDER],
            "в целях выявления и поддержки обучающихся, проявивших выдающиеся способности",
            items,
            appendices=[
                {
                    "title": f"График проведения {stage} этапа всероссийской олимпиады школьников",
                    "headers": ["№ п/п", "Предмет", "Дата", "Место проведения"],
                    "rows": rows,
                    "widths": [1, 4, 2.5, 6],
                }
            ],
        )

    def t_olympiad_results(self, sy: str) -> dict:
        rows = []
        rng = self.rng
        for i, sc in enumerate(sorted(self.ctx.schools, key=lambda x: -x.quality), start=1):
            n = max(1, round(sc.staff_n * rng.uniform(0.3, 0.8)))
            winners = round(n * sc.quality * rng.uniform(0.02, 0.12))
            prize = round(n * sc.quality * rng.uniform(0.05, 0.25))
            rows.append([str(i), sc.obj.short_name, str(n), str(winners), str(prize)])
        best = sorted(self.ctx.schools, key=lambda x: -x.quality)[0]
        items = [
            self.item("Утвердить итоги муниципального этапа всероссийской олимпиады школьников.", appendix=0),
            self.item("Наградить победителей и призёров грамотами Управления образования."),
            self.item(f"Объявить благодарность педагогическому коллективу {best.obj.short_name}."),
            self.item(
                "Организовать подготовку участников регионального этапа.", self.ref(self.methodist_for(3)), 30
            ),
        ]
        return self.order(
            f"Об итогах муниципального этапа всероссийской олимпиады школьников в {sy} учебном году",
            [LAW_273, OLYMPIAD_ORDER],
            "по итогам проведения муниципального этапа всероссийской олимпиады школьников",
            items,
            appendices=[
                {
                    "title": "Итоги муниципального этапа всероссийской олимпиады школьников",
                    "headers": [
                        "№ п/п",
                        "Образовательная организация",
                        "Участников",
                        "Победителей",
                        "Призёров",
                    ],
                    "rows": rows,
                    "widths": [1, 6, 2, 2, 2],
                }
            ],
        )

    def t_procedure(self, sy: str, pattern: str) -> dict:
        cal = self.when.year
        title = pattern.format(district=DISTRICT_GEN, cal=cal, sy=sy)
        observers = [self.deputy, *self.methodists, self.psychologist, self.social]
        rows = []
        for i, sc in enumerate(sorted(self.ctx.schools, key=lambda x: x.obj.short_name), start=1):
            o = observers[i % len(observers)]
            rows.append(
                [str(i), sc.obj.short_name, f"{sc.obj.director_post} {self.head_short(sc)}", self.short(o)]
            )
        m = self.methodist_for(1)
        d = _workday(self.when + timedelta(days=self.rng.randint(14, 40)), self.when)
        items = [
            self.item(
                f"Провести оценочную процедуру {_numeric(d)} в общеобразовательных организациях района."
            ),
            self.item("Назначить ответственных за проведение и муниципальных наблюдателей.", appendix=0),
            self.item(
                "Руководителям общеобразовательных организаций:",
                children=[
                    self.sub("обеспечить объективность проведения и проверки работ;"),
                    self.sub("представить результаты в МОЦ.", days=(d - self.when).days + 7),
                ],
            ),
            self.item(
                "Провести анализ результатов и подготовить аналитическую справку.",
                self.ref(m),
                (d - self.when).days + 21,
            ),
        ]
        return self.order(
            title,
            [LAW_273, self.regional("О проведении оценочных процедур в общеобразовательных организациях")],
            "в целях получения объективной информации о качестве подготовки обучающихся",
            items,
            appendices=[
                {
                    "title": "Ответственные за проведение и муниципальные наблюдатели",
                    "headers": [
                        "№ п/п",
                        "Образовательная организация",
                        "Ответственный (руководитель ОО)",
                        "Муниципальный наблюдатель",
                    ],
                    "rows": rows,
                    "widths": [1, 6, 4, 4],
                }
            ],
        )

    def t_contest(self, sy: str) -> dict:
        year = int(sy[:4]) + 1
        leaders = [sc for sc in self.ctx.schools if {"leader", "consulting"} & set(sc.statuses.get(sy, []))]
        jury = [(self.director, "председатель жюри"), (self.deputy, "заместитель председателя")]
        jury += [(p, "член жюри") for p in self.methodists[:3]]
        jury += [(self.heads[sc], "член жюри") for sc in leaders[:2] if sc in self.heads]
        rows = [
            [str(i), self.fio(p), p.doc_post or p.positions, role]
            for i, (p, role) in enumerate(jury, start=1)
        ]
        m = self.methodist_for(5)
        d = _workday(self.when + timedelta(days=self.rng.randint(30, 50)), self.when)
        items = [
            self.item(
                f"Провести муниципальный конкурс профессионального мастерства «Педагог года — {year}» "
                f"с {_numeric(d)}."
            ),
            self.item("Утвердить состав жюри конкурса.", appendix=0),
            self.item(
                "Руководителям общеобразовательных организаций направить заявки участников.",
                days=(d - self.when).days - 10,
            ),
            self.item("Обеспечить организацию и проведение конкурса.", self.ref(m), (d - self.when).days + 5),
        ]
        return self.order(
            f"О проведении муниципального конкурса профессионального мастерства «Педагог года — {year}»",
            [LAW_273, self.municipal("Об утверждении положения о муниципальном конкурсе «Педагог года»")],
            "в целях выявления и поддержки талантливых педагогов, распространения эффективного опыта",
            items,
            appendices=[
                {
                    "title": f"Состав жюри конкурса «Педагог года — {year}»",
                    "headers": ["№ п/п", "ФИО", "Должность", "Роль"],
                    "rows": rows,
                    "widths": [1, 5, 6, 3],
                }
            ],
        )

    def t_council(self, sy: str) -> dict:
        members = [(self.director, "председатель"), (self.methodists[0], "секретарь")]
        members += [(p, "член совета") for p in [self.deputy, *self.methodists[1:], self.psychologist]]
        deputies = [p for p in self.ctx.persons if "заместитель директора по УВР" in p.positions]
        members += [(p.obj, "член совета") for p in deputies[:3]]
        rows = []
        for i, (p, role) in enumerate(members, start=1):
            rows.append([str(i), self.fio(p), self._post(p), role])
        moc_people = [p for p, _ in members if p.school_id is None]
        ack = [
            {
                "person_id": p.id,
                "name": self.fio(p),
                "post": p.doc_post or p.positions,
                "signed_on": _workday(
                    self.when + timedelta(days=self.rng.randint(0, 4)), self.when
                ).isoformat(),
            }
            for p in moc_people
        ]
        items = [
            self.item(f"Утвердить состав методического совета на {sy} учебный год.", appendix=0),
            self.item("Провести первое заседание методического совета.", self.ref(self.director), 14),
            self.item(
                "Обеспечить ведение протоколов заседаний методического совета.", self.ref(self.methodists[0])
            ),
        ]
        return self.order(
            f"Об утверждении состава методического совета на {sy} учебный год",
            [LAW_273, self.municipal("Об утверждении положения о методическом совете")],
            "в целях координации методической работы в общеобразовательных организациях района",
            items,
            appendices=[
                {
                    "title": f"Состав методического совета на {sy} учебный год",
                    "headers": ["№ п/п", "ФИО", "Должность", "Роль"],
                    "rows": rows,
                    "widths": [1, 5, 7, 3],
                }
            ],
            acquaintance=ack,
        )

    def t_curators(self, sy: str) -> dict:
        rows = []
        for i, sc in enumerate(sorted(self.ctx.schools, key=lambda x: x.obj.short_name), start=1):
            codes = sc.statuses.get(sy, [])
            status = ", ".join(self.status_titles.get(c, c).split(" (")[0] for c in codes) or "—"
            cur = self.curator.get(sc, self.methodists[0])
            rows.append([str(i), sc.obj.short_name, status, self.fio(cur)])
        ack = [
            {
                "person_id": p.id,
                "name": self.fio(p),
                "post": p.doc_post or p.positions,
                "signed_on": _workday(
                    self.when + timedelta(days=self.rng.randint(0, 3)), self.when
                ).isoformat(),
            }
            for p in self.methodists
        ]
        items = [
            self.item(
                "Закрепить кураторов из числа методистов МОЦ за общеобразовательными организациями.",
                appendix=0,
            ),
            self.item(
                "Кураторам:",
                children=[
                    self.sub(
                        "посетить закреплённые образовательные организации;", self.ref(self.methodists[0]), 45
                    ),
                    self.sub(
                        "представить информацию об оказанной методической помощи.",
                        self.ref(self.methodists[-1]),
                        100,
                    ),
                ],
            ),
            self.item("Обеспечить контроль деятельности кураторов.", self.ref(self.director)),
        ]
        return self.order(
            f"О закреплении кураторов за общеобразовательными организациями на {sy} учебный год",
            [
                LAW_273,
                self.municipal(
                    "Об утверждении муниципальной системы методического сопровождения "
                    "общеобразовательных организаций"
                ),
            ],
            "в целях адресного методического сопровождения общеобразовательных организаций",
            items,
            appendices=[
                {
                    "title": "Закрепление кураторов за общеобразовательными организациями",
                    "headers": ["№ п/п", "Образовательная организация", "Статус", "Куратор (методист МОЦ)"],
                    "rows": rows,
                    "widths": [1, 6, 5, 4],
                }
            ],
            acquaintance=ack,
        )

    def t_courses(self, sy: str) -> dict:
        since = _years_before(self.when, 3)
        stats: dict[DemoSchool, list[int]] = {}
        for p in self.ctx.persons:
            st = stats.setdefault(p.school, [0, 0])
            st[0] += 1
            if not any(since <= d <= self.when for d in p.course_ends):
                st[1] += 1
        rows = [
            [str(i), sc.obj.short_name, str(stats[sc][0]), str(stats[sc][1])]
            for i, sc in enumerate(sorted(stats, key=lambda x: -stats[x][1]), start=1)
        ]
        m = self.methodist_for(4)
        items = [
            self.item(
                "Утвердить сведения о потребности в повышении квалификации педагогических работников.",
                appendix=0,
            ),
            self.item(
                "Руководителям общеобразовательных организаций обеспечить прохождение курсов повышения "
                "квалификации педагогами, не проходившими их более трёх лет.",
                days=180,
            ),
            self.item("Сформировать сводную заявку на курсы повышения квалификации.", self.ref(m), 20),
            self.item("Вести мониторинг прохождения курсов повышения квалификации.", self.ref(m), 150),
        ]
        return self.order(
            f"Об организации повышения квалификации педагогических работников в {self.when.year} году",
            [LAW_273],
            "в целях непрерывного профессионального развития педагогических работников",
            items,
            appendices=[
                {
                    "title": "Потребность в повышении квалификации педагогических работников",
                    "headers": ["№ п/п", "Образовательная организация", "Педагогов", "Без КПК более 3 лет"],
                    "rows": rows,
                    "widths": [1, 7, 2.5, 3],
                }
            ],
        )

    def t_plan(self, sy: str) -> dict:
        months = ["сентябрь", "октябрь", "ноябрь", "декабрь", "январь", "февраль", "март", "апрель", "май"]
        topics = (
            "Заседание методического совета",
            "Диагностика профессиональных компетенций педагогов",
            "Муниципальный этап всероссийской олимпиады школьников",
            "Семинар для педагогов школ с низкими образовательными результатами",
            "Муниципальный конкурс «Педагог года»",
            "Мониторинг реализации программ антирисковых мер",
            "Всероссийские проверочные работы: методическое сопровождение",
            "Заседания муниципальных методических объединений",
            "Итоги учебного года, анализ результатов",
        )
        rows = []
        for i, (month, topic) in enumerate(zip(months, topics, strict=True), start=1):
            p = [self.director, self.deputy, *self.methodists][i % (2 + len(self.methodists))]
            rows.append([str(i), topic, month, self.short(p)])
        items = [
            self.item(f"Утвердить план работы {self.moc} на {sy} учебный год.", appendix=0),
            self.item("Обеспечить выполнение плана работы.", self.ref(self.director)),
            self.item(
                "Представить отчёт о выполнении плана работы за первое полугодие.", self.ref(self.deputy), 120
            ),
        ]
        return self.order(
            f"Об утверждении плана работы {self.moc} на {sy} учебный год",
            [LAW_273],
            "в целях организации методического сопровождения общеобразовательных организаций района",
            items,
            appendices=[
                {
                    "title": f"План работы {self.moc} на {sy} учебный год",
                    "headers": ["№ п/п", "Мероприятие", "Срок", "Ответственный"],
                    "rows": rows,
                    "widths": [1, 8, 2.5, 4],
                }
            ],
        )

    def t_summary(self, sy: str) -> dict:
        years = self.ctx.calendar_years
        schools = self.shnor(sy) or self.ctx.schools[:3]
        ior = {
            (sid, y): v
            for sid, y, v in self.ctx.session.execute(
                select(SchoolIor.school_id, SchoolIor.year, SchoolIor.value).where(
                    SchoolIor.school_id.in_([sc.obj.id for sc in schools])
                )
            )
        }
        rows = []
        for i, sc in enumerate(schools, start=1):
            values = [
                f"{ior[(sc.obj.id, y)]:.3f}".replace(".", ",") if (sc.obj.id, y) in ior else "—"
                for y in years
            ]
            rows.append([str(i), sc.obj.short_name, *values, sc.shnor_labels.get(sy, "")])
        items = [
            self.item(
                "Информацию об итогах сопровождения школ с низкими образовательными результатами принять к "
                "сведению.",
                appendix=0,
            ),
            self.item(
                "Руководителям школ с низкими образовательными результатами:",
                children=[
                    self.sub(
                        f"{sc.obj.short_name} ({self.head_short(sc)}): представить отчёт о реализации "
                        "программы антирисковых мер.",
                        self.head_ref(sc),
                        25,
                    )
                    for sc in schools[:3]
                ],
            ),
            self.item(
                "Подготовить предложения о присвоении статусов общеобразовательным организациям на следующий "
                "учебный год.",
                self.ref(self.deputy),
                45,
            ),
        ]
        return self.order(
            f"Об итогах сопровождения школ с низкими образовательными результатами в {sy} учебном году",
            [
                LAW_273,
                self.municipal(
                    "Об утверждении муниципальной программы поддержки школ с низкими "
                    "образовательными результатами"
                ),
            ],
            "по итогам мониторинга реализации программ антирисковых мер",
            items,
            appendices=[
                {
                    "title": "Индекс образовательных результатов (ИОР) школ с низкими образовательными результатами",
                    "headers": [
                        "№ п/п",
                        "Образовательная организация",
                        *[f"ИОР {y}" for y in years],
                        "Категория",
                    ],
                    "rows": rows,
                    "widths": [1, 5, 2, 2, 2, 5],
                }
            ],
        )

    def t_revoke(self, target: _PlannedDoc) -> dict:
        label = f"от {_numeric(target.when)} № {target.number}{self.suffix}"
        reason = self.rng.choice(REVOKE_REASONS).format(
            date=_numeric(_workday(self.when - timedelta(days=7))), number=self.rng.randint(200, 1500)
        )
        items = [
            self.item(
                f"Признать утратившим силу приказ Управления образования {label} «{target.data['title']}»."
            ),
            self.item(
                "Довести настоящий приказ до сведения руководителей общеобразовательных организаций.",
                self.ref(self.methodists[0]),
                3,
            ),
        ]
        data = self.order(f"Об отмене приказа {label}", [LAW_273], "", items)
        data["basis"] = []
        data["preamble"] = reason + ","
        return data

    def ppost(self, p: Person) -> str:
        """A post in a protocol of the МОЦ: its own staff without the МОЦ's name, school staff with the school."""
        return p.positions.split(";")[0].strip() if p.school_id is None else self._post(p)

    def pref(self, p: Person) -> dict:
        return self.ref(p, self.ppost(p))

    def _post(self, p: Person) -> str:
        if p.doc_post:
            return p.doc_post
        sc = p.school
        first = p.positions.split(";")[0].strip()
        return f"{first} {sc.short_name}" if sc is not None else first

    # --- planning ---------------------------------------------------------------------------------------------

    def random_day(self, lo: date, hi: date) -> date:
        """A working day in [lo, hi], rarer in July and early August."""
        span = max(0, (hi - lo).days)
        for _ in range(50):
            d = lo + timedelta(days=self.rng.randint(0, span))
            if self.rng.random() < _MONTH_WEIGHT.get(d.month, 1.0):
                break
        d = _workday(d, lo)
        return d if d <= hi else _workday(hi)

    def anchors(self) -> list[tuple[date, str, object]]:
        """Status orders on the dates the statuses carry (step «Статусы школ»), when they fall in the year."""
        rows = self.ctx.session.execute(
            select(SchoolStatus.school_year, SchoolStatus.status_code, func.min(SchoolStatus.order_date))
            .where(SchoolStatus.school_year.in_(self.ctx.school_years))
            .group_by(SchoolStatus.school_year, SchoolStatus.status_code)
        ).all()
        found: dict[tuple[str, str], date] = {}
        for sy, code, d in rows:
            kind = {"shnor": "statuses", "mentor": "mentors", "consulting": "statuses_other"}.get(code)
            if kind and d is not None:
                found[(sy, kind)] = d
        # the yearly orders of a МОЦ, each about its school year
        for sy in self.ctx.school_years:
            y0 = int(sy[:4])
            for kind, (month, lo, hi) in YEARLY_ORDERS.items():
                d = _workday(date(y0 if month >= 8 else y0 + 1, month, self.rng.randint(lo, hi)))
                found[(sy, kind)] = d
        out = []
        for (sy, kind), d in sorted(found.items(), key=lambda kv: (kv[1], kv[0])):
            if self.start <= d <= self.ctx.today - timedelta(days=20):
                out.append((d, kind, sy))
        return out

    #: kind → months it is issued in (any month when empty) and weight
    KINDS: dict[str, tuple[tuple[int, ...], float]] = {
        "diagnostics": ((10, 11, 2, 3), 1.2),
        "low_results": ((9, 10, 11, 12, 1, 2, 3, 4, 5, 6), 1.6),
        "visit": ((10, 11, 12, 1, 2, 3, 4, 5), 1.5),
        "seminar": ((8, 10, 11, 12, 1, 2, 3, 4, 5, 6), 2.0),
        "procedure": ((9, 10, 11, 2, 3, 4), 1.6),
    }
    SUBJECTS = (
        "педагогических работников",
        "учителей математики",
        "учителей русского языка и литературы",
        "учителей начальных классов",
        "учителей иностранного языка",
        "учителей естественно-научных предметов",
    )

    def _param(self, kind: str, sy: str) -> tuple[bool, object]:
        if kind == "low_results":
            schools = self.shnor(sy)
            return bool(schools), self.rng.choice(schools) if schools else None
        if kind == "visit":
            return True, self.rng.choice(self.ctx.schools)
        if kind == "seminar":
            return True, (_weighted(self.rng, SEMINAR_FORMS, [6, 2, 1, 1]), self.rng.choice(SEMINAR_TOPICS))
        if kind == "procedure":
            return True, self.rng.choice(PROCEDURES)
        if kind == "diagnostics":
            return True, self.rng.choice(self.SUBJECTS)
        return True, None

    @staticmethod
    def _key(kind: str, sy: str, param: object, d: date) -> str:
        """What makes the title: the same key would give the same title."""
        if kind == "courses":
            return f"courses:{d.year}"
        if kind == "procedure" and "{cal}" in str(param):
            return f"procedure:{d.year}:{param}"
        if kind == "seminar":  # a topic once a year in each form
            return f"seminar:{param}"
        if isinstance(param, DemoSchool):
            return (
                f"{kind}:{sy}:{param.obj.short_name}"
                if kind == "low_results"
                else f"{kind}:{param.obj.short_name}"
            )
        name = param
        return f"{kind}:{sy}:{name}"

    def pick(self, d: date, sy: str) -> tuple[str, object]:
        """A typical order for the month of ``d`` whose title is not used yet; else a seminar, an assessment or a
        diagnostic not held yet; a repeated title only when all of them are used."""
        kinds = [k for k, (months, _w) in self.KINDS.items() if d.month in months] or ["seminar", "procedure"]
        weights = [self.KINDS[k][1] for k in kinds]
        for _ in range(12):
            kind = _weighted(self.rng, kinds, weights)
            ok, param = self._param(kind, sy)
            key = self._key(kind, sy, param, d)
            if ok and key not in self.used_titles:
                self.used_titles.add(key)
                return kind, param
        seminars = [(f, t) for t in SEMINAR_TOPICS for f in SEMINAR_FORMS]
        fallbacks = (
            ("visit", self.ctx.schools),
            ("seminar", seminars),
            ("procedure", PROCEDURES),
            ("diagnostics", self.SUBJECTS),
        )
        for kind, params in fallbacks:
            for param in self.rng.sample(list(params), len(params)):
                key = self._key(kind, sy, param, d)
                if key not in self.used_titles:
                    self.used_titles.add(key)
                    return kind, param
        return "seminar", self.rng.choice(seminars)

    def build(self, o: _PlannedDoc, sy: str) -> dict:
        self.when = o.when
        k, p = o.kind, o.param
        if k == "statuses":
            return self.t_statuses(
                sy,
                ("shnor", "shnsu", "growth"),
                f"О присвоении статусов общеобразовательным организациям {DISTRICT_GEN} на {sy} учебный год",
            )
        if k == "statuses_other":
            return self.t_statuses(
                sy,
                ("consulting", "leader", "rip", "internship"),
                f"О присвоении статусов методических площадок общеобразовательным организациям {DISTRICT_GEN} "
                f"на {sy} учебный год",
            )
        if k == "revoke":
            assert o.revokes is not None
            return self.t_revoke(o.revokes)
        simple = {
            "mentors": self.t_mentors,
            "mentoring": self.t_mentoring,
            "roadmap": self.t_roadmap,
            "olympiad_results": self.t_olympiad_results,
            "contest": self.t_contest,
            "council": self.t_council,
            "curators": self.t_curators,
            "courses": self.t_courses,
            "plan": self.t_plan,
            "summary": self.t_summary,
        }
        if k in simple:
            return simple[k](sy)
        if k == "low_results":
            return self.t_low_results(sy, p)
        if k == "seminar":
            return self.t_seminar(sy, p)
        if k == "visit":
            return self.t_visit(sy, p)
        if k == "procedure":
            return self.t_procedure(sy, p)
        if k == "diagnostics":
            return self.t_diagnostics(sy, p)
        if k in ("olympiad_school", "olympiad_municipal"):
            return self.t_olympiad(sy, "школьного" if k == "olympiad_school" else "муниципального")
        raise KeyError(k)  # pragma: no cover

    def mark_execution(self, planned: list[_PlannedDoc]) -> None:
        """Past deadlines of signed orders are mostly done, a few are not (overdue on the home page); future
        ones are open, now and then done early."""
        rng, today = self.rng, self.ctx.today
        last_past: dict | None = None
        overdue = 0
        for o in planned:
            if o.status != "signed":
                continue
            for it in o.data["items"]:
                for x in [it, *(it.get("children") or [])]:
                    if not x.get("deadline") or not x.get("responsible"):
                        continue
                    deadline = date.fromisoformat(x["deadline"])
                    if deadline < today:
                        last_past = x
                        if rng.random() < 0.93:
                            done = deadline - timedelta(days=rng.randint(0, 6))
                            x["done_on"] = max(done, o.when).isoformat()
                        else:
                            overdue += 1
                    elif o.when < today and rng.random() < 0.12:
                        x["done_on"] = (
                            o.when + timedelta(days=rng.randint(0, (today - o.when).days))
                        ).isoformat()
        if not overdue and last_past is not None:
            last_past.pop("done_on", None)

    def control_and_executor(self, o: _PlannedDoc) -> None:
        rng = self.rng
        d = o.data
        if rng.random() < 0.6 or o.kind == "revoke":
            d["control"] = {"mode": "self"}
        else:
            p = rng.choice([self.deputy, self.deputy, *self.methodists[:2]])
            d["control"] = {"mode": "assign", "person_id": p.id}
        ex = rng.choice(self.methodists) if o.kind not in ("council", "plan") else self.deputy
        d["executor"] = {"person_id": ex.id, "phone": ex.phone, "email": ex.email}
        d["signatory_post"] = self.uo_post
        d["signatory_name"] = self.uo_name
        d["approvals"] = []
        d["qr"] = False
        d["date"] = o.when
        d["template"] = o.kind


def _plan_orders(w: _DocWriter) -> list[_PlannedDoc]:
    ctx, rng = w.ctx, w.rng
    today = ctx.today
    n = ctx.scale.get("orders", 40)
    n_draft = max(1, round(n * 0.1))
    n_cancel = max(1, round(n * 0.05))
    n_regular = n - n_draft - n_cancel
    planned: list[_PlannedDoc] = []
    for d, kind, sy in w.anchors()[:n_regular]:
        planned.append(_PlannedDoc(len(planned), d, kind, "signed", param=sy))
    while len(planned) < n_regular:
        d = w.random_day(w.start, today)
        planned.append(_PlannedDoc(len(planned), d, "", "signed"))
    # cancelled orders: older ones, each revoked by a later order
    candidates = [o for o in planned if o.when <= today - timedelta(days=30) and not o.kind]
    for o in rng.sample(candidates, min(n_cancel, len(candidates))):
        o.status = "cancelled"
        when = _workday(min(today, o.when + timedelta(days=rng.randint(7, 28))), o.when)
        r = _PlannedDoc(len(planned), when, "revoke", "signed", revokes=o)
        o.revoked_by = r
        planned.append(r)
    for _ in range(n - len(planned)):
        d = w.random_day(today - timedelta(days=12), today)
        planned.append(_PlannedDoc(len(planned), d, "", "draft"))
    planned.sort(key=lambda o: (o.when, o.seq))
    return planned


@register_step("Приказы и протоколы", weight=0.05)
def _step_documents(ctx: DemoContext) -> None:
    """One calendar year of orders and protocols ending at ``ctx.today``, written directly as signed, cancelled
    or draft records (numbers taken with ``numbering.allocate`` in date order, so they grow with the dates)."""
    from moc_desktop.services.docs import numbering, orders, protocols
    from moc_desktop.services.docs.common import dump

    if not ctx.moc_staff.get("director") or not ctx.schools:
        return
    ctx.flush()  # ids of schools and people for the references
    w = _DocWriter(ctx)
    session = ctx.session
    planned = _plan_orders(w)
    # numbers first, in date order (a cancelled order was signed before it was cancelled)
    for o in planned:
        if o.status != "draft":
            y = o.when.year
            o.reg_year = y
            o.number = numbering.allocate(
                session, orders.SCOPE, y, numbering.max_query(OrderDoc.number, OrderDoc.reg_year == y)
            )
    for i, o in enumerate(planned):
        # anchored (status and yearly) orders carry their school year; the others are about the coming one
        sy = o.param if isinstance(o.param, str) else _planning_year(o.when, ctx.school_years)
        if not o.kind:
            o.kind, o.param = w.pick(o.when, sy)
        o.data = w.build(o, sy)
        w.control_and_executor(o)
        ctx.progress(0.6 * (i + 1) / len(planned))
    w.mark_execution(planned)
    for o in planned:
        errors = orders.validate_order(o.data)
        if errors:  # pragma: no cover - a bug of the generator
            raise RuntimeError(f"демо-приказ «{o.data['title']}»: {errors}")
        d = o.data
        order = OrderDoc(
            status=o.status,
            suffix=w.suffix if o.number is not None else "",
            reg_year=o.reg_year,
            number=o.number,
            date=o.when,
            qr=False,
        )
        for f in orders.PLAIN_FIELDS:
            setattr(order, f, (d.get(f) or "").strip())
        for f in orders.JSON_FIELDS:
            setattr(order, f, dump(d.get(f) or ({} if f in ("control", "executor") else [])))
        if o.status == "cancelled" and o.revoked_by is not None:
            r = o.revoked_by
            order.cancel_note = f"приказ от {_numeric(r.when)} № {r.number}{w.suffix} «{r.data['title']}»"
        ctx.add(order)
    _write_protocols(w, numbering, protocols, dump)
    ctx.progress(1.0)


#: Municipal methodological unions: key subject → the genitive in the heading («… объединения учителей математики»).
UMO_SUBJECTS = {
    "математика": "учителей математики",
    "русский язык": "учителей русского языка и литературы",
    "начальные классы": "учителей начальных классов",
    "английский язык": "учителей иностранного языка",
    "история": "учителей истории и обществознания",
    "физика": "учителей физики и информатики",
    "химия": "учителей химии и биологии",
    "физическая культура": "учителей физической культуры и ОБЗР",
}
#: body → agenda questions: (title, speaker role, what was decided)
AGENDA: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Методический совет": (
        (
            "Об утверждении плана работы методического совета на {sy} учебный год",
            "deputy",
            "Утвердить план работы методического совета на {sy} учебный год.",
        ),
        (
            "О результатах диагностики профессиональных компетенций педагогов школ с низкими образовательными "
            "результатами",
            "methodist",
            "Методистам-кураторам разработать индивидуальные образовательные маршруты "
            "педагогов с выявленными дефицитами.",
        ),
        (
            "О ходе реализации «дорожной карты» по сопровождению школ с низкими образовательными результатами",
            "deputy",
            "Продолжить реализацию мероприятий «дорожной карты»; кураторам усилить адресную помощь школам.",
        ),
        (
            "Об итогах школьного этапа всероссийской олимпиады школьников",
            "methodist",
            "Руководителям ОО обеспечить подготовку участников муниципального этапа.",
        ),
        (
            "О результатах всероссийских проверочных работ и объективности оценивания",
            "methodist",
            "Рекомендовать руководителям ОО обсудить результаты на заседаниях ШМО и принять меры по обеспечению "
            "объективности.",
        ),
        (
            "Об организации наставничества: итоги первого полугодия",
            "methodist",
            "Одобрить опыт работы наставнических пар; провести муниципальную школу молодого педагога.",
        ),
        (
            "О рассмотрении программ антирисковых мер школ с низкими образовательными результатами",
            "director",
            "Рекомендовать программы антирисковых мер к реализации с учётом замечаний.",
        ),
        (
            "Об обобщении эффективного педагогического опыта",
            "methodist",
            "Включить материалы в муниципальный банк эффективных практик.",
        ),
    ),
    "Совет МОЦ": (
        (
            "О присвоении статусов общеобразовательным организациям на {sy} учебный год",
            "director",
            "Согласовать перечень общеобразовательных организаций для присвоения статусов.",
        ),
        (
            "О результатах мониторинга качества образования",
            "deputy",
            "Информацию принять к сведению; подготовить аналитическую справку для Управления образования.",
        ),
        (
            "Об отчёте о деятельности МОЦ за первое полугодие",
            "director",
            "Признать работу удовлетворительной.",
        ),
        (
            "О согласовании плана мероприятий («дорожной карты») на {sy} учебный год",
            "deputy",
            "Согласовать «дорожную карту» и направить её на утверждение в Управление образования.",
        ),
        (
            "О ходе реализации муниципального проекта сетевого взаимодействия школ",
            "deputy",
            "Обобщить опыт школ-наставников и представить его на методическом совете.",
        ),
    ),
    "Муниципальное методическое объединение (УМО)": (
        (
            "Анализ результатов государственной итоговой аттестации",
            "methodist",
            "Руководителям ШМО провести анализ типичных ошибок и скорректировать планы подготовки к ГИА.",
        ),
        (
            "Формирование функциональной грамотности на уроках: из опыта работы",
            "teacher",
            "Одобрить опыт; рекомендовать к использованию в общеобразовательных организациях района.",
        ),
        (
            "Об организации муниципального этапа всероссийской олимпиады школьников",
            "methodist",
            "Утвердить состав предметного жюри; обеспечить проверку работ в установленные сроки.",
        ),
        (
            "Обеспечение объективности оценивания: перекрёстная проверка работ",
            "methodist",
            "Провести перекрёстную проверку работ обучающихся школ с низкими результатами.",
        ),
        (
            "Открытый урок как форма распространения опыта",
            "teacher",
            "Провести серию открытых уроков в школах-наставниках.",
        ),
    ),
    "Рабочая группа": (
        (
            "О разработке муниципальной программы поддержки школ с низкими образовательными результатами",
            "deputy",
            "Подготовить проект программы и представить его на методический совет.",
        ),
        (
            "О подготовке аналитической справки по результатам диагностики",
            "methodist",
            "Подготовить аналитическую справку по результатам диагностики.",
        ),
        (
            "О разработке положения о наставничестве в образовательных организациях района",
            "methodist",
            "Доработать проект положения с учётом предложений.",
        ),
        (
            "О мониторинге реализации программ антирисковых мер",
            "deputy",
            "Утвердить показатели мониторинга; провести мониторинг в конце полугодия.",
        ),
    ),
    "Педагогический совет": (
        (
            "Об итогах работы МОЦ за учебный год",
            "director",
            "Работу педагогического коллектива МОЦ признать удовлетворительной.",
        ),
        (
            "Профессиональное выгорание педагога: профилактика и преодоление",
            "psychologist",
            "Провести цикл тренингов по профилактике профессионального выгорания.",
        ),
        (
            "О задачах методической службы на {sy} учебный год",
            "deputy",
            "Утвердить задачи методической службы.",
        ),
    ),
}
#: Questions held in some months only (the others: any month).
AGENDA_MONTHS: dict[str, tuple[int, ...]] = {
    "Об утверждении плана работы методического совета на {sy} учебный год": (8, 9, 10),
    "Об итогах школьного этапа всероссийской олимпиады школьников": (10, 11, 12),
    "Об организации наставничества: итоги первого полугодия": (12, 1, 2),
    "О присвоении статусов общеобразовательным организациям на {sy} учебный год": (6, 8),
    "Об отчёте о деятельности МОЦ за первое полугодие": (12, 1, 2),
    "О согласовании плана мероприятий («дорожной карты») на {sy} учебный год": (8, 9, 10),
    "Анализ результатов государственной итоговой аттестации": (8, 9, 10, 11),
    "Об организации муниципального этапа всероссийской олимпиады школьников": (9, 10, 11),
    "Об итогах работы МОЦ за учебный год": (5, 6, 8),
    "О задачах методической службы на {sy} учебный год": (8, 9),
}
#: Decisions that are not tasks: no deadline is written after them.
_NO_DEADLINE = ("Признать", "Одобрить", "Утвердить", "Согласовать", "Рекомендовать", "Информацию")
SPOKE = (
    ("поделилась", "опытом работы своей образовательной организации"),
    ("предложила", "провести дополнительные консультации для педагогов"),
    ("отметила", "необходимость сетевого взаимодействия со школой-наставником"),
    ("поддержала", "предложенный проект решения"),
)


def _verb(p: Person, feminine: str) -> str:
    """«представила» / «представил», «поделилась» / «поделился» by the stored gender."""
    if p.gender == "f":
        return feminine
    if feminine.endswith("лась"):
        return feminine[:-4] + "лся"
    return feminine[:-1] if feminine.endswith("ла") else feminine


def _write_protocols(w: _DocWriter, numbering, protocols, dump) -> None:
    ctx, rng = w.ctx, w.rng
    today = ctx.today
    n = ctx.scale.get("protocols", 12)
    bodies = list(PROTOCOL_BODY_WEIGHTS)
    weights = list(PROTOCOL_BODY_WEIGHTS.values())
    moc_people = [
        p
        for role in ("director", "deputy", "methodist", "psychologist", "social")
        for p in ctx.moc_staff.get(role, [])
    ]
    school_people = [p for p in ctx.persons if p.moves and p.moves[-1][2] is None]
    deputies = [p for p in school_people if "заместитель директора по УВР" in p.positions]
    heads = [p for p in school_people if p.obj is w.heads.get(p.school)]
    step = 364 / n
    plan: list[tuple[date, str]] = []
    for i in range(n):
        d = w.start + timedelta(days=round(step * (i + 0.5)) + rng.randint(-5, 5))
        if d.month == 7:
            d = d.replace(day=1) - timedelta(days=rng.randint(1, 10))  # the end of June
        d = _workday(min(d, today), w.start)
        plan.append((d, _weighted(rng, bodies, weights)))
    plan.sort()
    n_draft = max(1, round(n * 0.1))
    for i, (d, body) in enumerate(plan):
        w.when = d
        sy = _planning_year(d + timedelta(days=75), ctx.school_years)  # from mid-June: the coming year
        title = ""
        chair, secretary = w.director, w.methodists[0]
        if body == "Муниципальное методическое объединение (УМО)":
            subject = rng.choice(list(UMO_SUBJECTS))
            title = UMO_SUBJECTS[subject]
            chair = next((m for m in w.methodists if subject in m.subjects), rng.choice(w.methodists))
            pool = [p for p in school_people if subject in p.obj.subjects]
            pool.sort(key=lambda p: "руководитель ШМО" not in p.positions)
            others = pool[:25]
            rng.shuffle(others)
            secretary = next((m for m in w.methodists if m is not chair), w.deputy)
            people = [chair, secretary] + [p.obj for p in others]
        elif body == "Педагогический совет":
            chair, secretary = w.director, w.social
            people = list(moc_people)
        else:
            if body == "Рабочая группа":
                chair, secretary = w.deputy, w.methodists[-1]
            extra = rng.sample(deputies, min(len(deputies), 8)) + rng.sample(heads, min(len(heads), 6))
            people = [chair, secretary] + [p for p in moc_people if p not in (chair, secretary)]
            people += [p.obj for p in extra]
        seen: set[int] = set()
        unique = []
        for p in people:
            if p.id not in seen:
                seen.add(p.id)
                unique.append(p)
        present = unique[: rng.randint(8, 20)]
        if len(present) < 8:
            present = (present + [p for p in moc_people if p not in present])[:8]
        attendees = [w.pref(p) for p in present]
        members_total = len(present) + rng.randint(0, 4)
        pool = [q for q in AGENDA[body] if d.month in AGENDA_MONTHS.get(q[0], (d.month,))]
        if len(pool) < 2:
            pool = list(AGENDA[body])
        questions = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
        agenda = []
        for q_title, role, decision in questions:
            if role == "teacher":
                speaker = next((p for p in present if p.school_id is not None), chair)
            elif role == "methodist":
                speaker = next((p for p in present if p in w.methodists), w.methodists[0])
            else:
                speaker = {"director": w.director, "deputy": w.deputy, "psychologist": w.psychologist}[role]
            q = q_title.format(sy=sy)
            if q.startswith(("О ", "Об ")):
                said = f"{_verb(speaker, 'представила')} информацию {q[0].lower()}{q[1:]}."
            else:
                said = f"{_verb(speaker, 'выступила')} по теме «{q}»."
            listened = [{"who": w.who(speaker, w.ppost(speaker)), "text": said}]
            spoke = []
            for p in rng.sample(present, min(len(present), rng.randint(0, 2))):
                if p is not speaker:
                    verb, rest = rng.choice(SPOKE)
                    spoke.append({"who": w.who(p, w.ppost(p)), "text": f"{_verb(p, verb)} {rest}."})
            deadline = _workday(d + timedelta(days=rng.randint(14, 60)), d)
            decision = decision.format(sy=sy)
            if not decision.startswith(_NO_DEADLINE):
                decision = decision.rstrip(".") + f". Срок — до {_numeric(deadline)}."
            decided = ["Информацию принять к сведению.", decision]
            against = 1 if rng.random() < 0.1 else 0
            abstained = rng.choice([0, 0, 0, 1, 2])
            votes = {"for": len(present) - against - abstained, "against": against, "abstained": abstained}
            agenda.append(
                {
                    "title": q,
                    "speaker": w.pref(speaker),
                    "listened": listened,
                    "spoke": spoke,
                    "decided": decided,
                    "votes": votes,
                }
            )
        data = {
            "body": body,
            "date": d,
            "place": w.moc
            if body != "Муниципальное методическое объединение (УМО)"
            else rng.choice(ctx.schools).obj.short_name,
            "title": title,
            "chair": w.pref(chair),
            "secretary": w.pref(secretary),
            "attendees": attendees,
            "members_total": members_total,
            "invited": [],
            "agenda": agenda,
            "approvals": [],
        }
        errors = protocols.validate_protocol(data)
        if errors:  # pragma: no cover - a bug of the generator
            raise RuntimeError(f"демо-протокол {body} {d}: {errors}")
        p = Protocol(body=body, date=d, place=data["place"], title=title, members_total=members_total)
        for f in protocols.JSON_FIELDS:
            setattr(p, f, dump(data[f]))
        if i < n - n_draft:
            y = d.year
            p.reg_year, p.status = y, "signed"
            p.number = numbering.allocate(
                ctx.session,
                f"protocol:{body}",
                y,
                numbering.max_query(Protocol.number, Protocol.body == body, Protocol.reg_year == y),
            )
        else:
            p.status = "draft"
        ctx.add(p)
        ctx.progress(0.6 + 0.4 * (i + 1) / n)


# --- step 9: diagnostics of professional competences (seed 003, Приложение 2–3) -------------------------------

#: Stages of the diagnostic in a school year: stage → (title, start (month, first day, last day), end (…)).
DIAG_STAGES: dict[str, tuple[str, tuple[int, int, int], tuple[int, int, int]]] = {
    "entry": ("Входная диагностика профессиональных компетенций педагогов", (9, 15, 25), (10, 12, 22)),
    "interim": ("Промежуточная диагностика профессиональных компетенций педагогов", (1, 19, 29), (2, 12, 22)),
    "final": ("Итоговая диагностика профессиональных компетенций педагогов", (4, 8, 17), (5, 12, 22)),
}
#: Stage → months in which the period of an order «О проведении диагностики …» may start to be its basis.
DIAG_ORDER_MONTHS = {"entry": (9, 10, 11), "interim": (12, 1, 2), "final": (3, 4, 5)}
#: Stage → time within the school year (teachers grow from the entry stage, 0, to the final one, 1).
DIAG_STAGE_TIME = {"entry": 0.0, "interim": 0.5, "final": 1.0}
DIAG_ORDER_TITLE = "О проведении диагностики профессиональных компетенций педагогических работников"
#: Latent level offsets (in shares of the maximum score) per competence: communication and health-saving come
#: easier, management (5) and psychology (2) harder; young specialists lag in methodology and management.
DIAG_COMPETENCE_OFFSET = {1: 0.0, 2: -0.03, 3: 0.04, 4: 0.07, 5: -0.06}
DIAG_YOUNG_OFFSET = {1: -0.12, 2: -0.05, 3: 0.0, 4: 0.0, 5: -0.08}
DIAG_CATEGORY_OFFSET = {
    "высшая": 0.07,
    "первая": 0.035,
    "соответствие занимаемой должности": -0.02,
    "без категории": -0.04,
}
#: A criterion score from a latent value: 2 from this value on, 1 from the next, else 0.
DIAG_CUT_OPTIMAL, DIAG_CUT_SUFFICIENT = 0.78, 0.42


@dataclass(eq=False)
class _DiagTeacher:
    """What drives one teacher's scores in every campaign (constant over the stages)."""

    person: DemoPerson
    base: float  # latent level at the entry stage of the current school year, before offsets
    competence: dict[int, float]  # the teacher's own deviation per competence
    growth: float  # gain over one school year (entry → final)
    self_bias: float  # self-assessment minus the truth; a few teachers strongly overrate themselves
    shmo_head: bool
    no_ovz: bool  # no pupils with ОВЗ: criterion 3.2 left blank by every rater


def _diag_plan(ctx: DemoContext) -> list[tuple[str, str, date, date]]:
    """(school year, stage, date from, date to) of the campaigns to create, oldest first: the current school
    year's stages that have started by ``today``; until its final stage has started, also the three stages of
    the previous school year (so that both an entry and a final stage exist for dynamics)."""
    rng = ctx.rng
    y0 = int(ctx.year[:4])

    def stages(y: int) -> list[tuple[str, str, date, date]]:
        out = []
        for stage, (_title, (m1, a1, b1), (m2, a2, b2)) in DIAG_STAGES.items():
            d1 = _workday(date(y if m1 >= 8 else y + 1, m1, rng.randint(a1, b1)))
            d2 = _workday(date(y if m2 >= 8 else y + 1, m2, rng.randint(a2, b2)))
            out.append((f"{y}/{y + 1}", stage, d1, d2))
        return out

    previous, current = stages(y0 - 1), stages(y0)  # both drawn always: the plan does not shift the generator
    current = [c for c in current if c[2] <= ctx.today]
    if any(stage == "final" for _, stage, _, _ in current):
        return current
    return [c for c in previous if c[2] <= ctx.today] + current


_PERIOD = re.compile(r"в период с (\d\d)\.(\d\d)\.(\d{4}) по (\d\d)\.(\d\d)\.(\d{4})")


def _diag_orders(ctx: DemoContext) -> tuple[list[tuple[OrderDoc, date, date]], dict[str, OrderDoc]]:
    """Signed orders the campaigns may rest on: general diagnostic orders with their period, and the МОЦ's plan
    of work per school year."""
    diag: list[tuple[OrderDoc, date, date]] = []
    plans: dict[str, OrderDoc] = {}
    q = (
        select(OrderDoc)
        .where(OrderDoc.status == "signed", OrderDoc.deleted_at.is_(None))
        .order_by(OrderDoc.date)
    )
    for o in ctx.session.scalars(q):
        if o.title.startswith(DIAG_ORDER_TITLE):
            m = _PERIOD.search(o.items or "")
            if m:
                d, mo, y, d2, mo2, y2 = (int(x) for x in m.groups())
                diag.append((o, date(y, mo, d), date(y2, mo2, d2)))
        elif o.title.startswith("Об утверждении плана работы"):
            found = re.search(r"на (\d{4}/\d{4}) учебный год", o.title)
            if found:
                plans[found.group(1)] = o
    return diag, plans


def _school_on(p: DemoPerson, when: date) -> DemoSchool | None:
    for school, d_from, d_to in p.moves:
        if d_from <= when and (d_to is None or when < d_to):
            return school
    return None


@register_step("Диагностика компетенций", weight=0.9)
def _step_diagnostics(ctx: DemoContext) -> None:
    """Campaigns of the competence diagnostic (входная / промежуточная / итоговая) over all schools.

    Which campaigns: see :func:`_diag_plan` (the stages started by ``today``; until the current year's final
    stage, the previous school year's three stages too). Who: everyone of the school staff who teaches a subject
    (teachers, ШМО heads, deputies and directors with lessons) and worked in the district when the campaign
    started — a card in the school of that day. At L (6 000 staff) that is ≈ 5 300–5 600 cards a campaign.

    Scores are believable: each teacher has a latent level per competence — lower in ШНОР schools and weaker
    schools, higher with a higher category, young specialists (experience < 3) lower in methodology and
    management — and grows over the school year, more for the mentored (young specialists of a school with an
    experienced teacher of the first or highest category, as in the mentoring order) and in ШНОР schools (their
    school-mentor). Each rater sees that level with their own noise; the self-assessment is above the external
    raters on average and a few teachers (≈ 7 %) strongly overrate themselves. Blanks (≈ 3 % of the cells at L,
    a little more at S): small schools (fewer than 20 teachers; together up to 8.5 % of the teachers) whose ШМО
    head does not rate — the ШМО column blank for all their teachers; the only ШМО head of a school (nobody
    rates her in that column); teachers without pupils with ОВЗ (criterion 3.2 blank for every rater); a deputy
    absent now and then; single skipped lines. A campaign still running on ``today`` has complete cards only from
    the schools that are done (by the elapsed share of its period) and self-assessments from some others.

    Basis: a signed general order «О проведении диагностики профессиональных компетенций педагогических
    работников …» whose period starts in the stage's months (the campaign then takes that period), else the
    МОЦ's signed plan of work for that school year, else the plan named as text. Cards are written through the
    ORM with ``cards.apply_scores`` (derived percentages) and flushed in batches with the other records."""
    from moc_desktop.services.diagnostics import cards, scoring

    if not ctx.schools or not ctx.persons:
        return
    ctx.flush()  # ids of schools, people and orders
    rng = ctx.rng
    session = ctx.session
    tpl = cards.template(session)
    plan = _diag_plan(ctx)
    diag_orders, plan_orders = _diag_orders(ctx)
    y0 = int(ctx.year[:4])
    moc = _setting(session, "moc_name")

    # teachers and their constant traits
    teaching = [p for p in ctx.persons if p.obj.subjects]
    per_school: dict[DemoSchool, list[DemoPerson]] = {}
    for p in teaching:
        per_school.setdefault(p.school, []).append(p)
    shmo_heads = {s: sum("руководитель ШМО" in p.positions for p in ps) for s, ps in per_school.items()}
    # small schools (fewer than 20 teachers) whose ШМО head does not rate — together up to 8.5 % of the teachers,
    # so that with the other blanks ≈ 3 % of the cells are blank at L (a little more at S: few schools to choose)
    no_shmo: set[DemoSchool] = set()
    limit, covered = 0.085 * len(teaching), 0
    small = [s for s in ctx.schools if 0 < len(per_school.get(s, [])) < 20]
    for s in rng.sample(small, len(small)):
        n = len(per_school[s])
        if covered + n <= limit:
            no_shmo.add(s)
            covered += n
    shmo_bias = {s: rng.gauss(0.02, 0.03) for s in ctx.schools}
    deputy_bias = {s: rng.gauss(-0.01, 0.03) for s in ctx.schools}
    mentored_young: set[DemoPerson] = set()
    for ps in per_school.values():
        if any(p.experience >= 10 and p.category in ("высшая", "первая") for p in ps):
            mentored_young.update(p for p in ps if p.experience < 3)
    teachers: list[_DiagTeacher] = []
    for p in teaching:
        overrates = rng.random() < 0.07
        growth = rng.gauss(0.045, 0.03) + (0.05 if p in mentored_young else 0.0)
        teachers.append(
            _DiagTeacher(
                person=p,
                base=0.68
                + 0.18 * (p.school.quality - 0.5)
                + min(p.experience, 25) * 0.002
                + rng.gauss(0, 0.07),
                competence={n: rng.gauss(0, 0.05) for n in range(1, 6)},
                growth=growth,
                self_bias=rng.gauss(0.25, 0.05) if overrates else rng.gauss(0.05, 0.03),
                shmo_head="руководитель ШМО" in p.positions,
                no_ovz=rng.random() < 0.03,
            )
        )
    pairs = tpl.pairs
    all_school_ids = sorted(s.obj.id for s in ctx.schools)

    used_orders: set[int] = set()
    for ci, (sy, stage, d_from, d_to) in enumerate(plan):
        ctx.check_cancel()
        order_id, basis = None, ""
        for o, p1, p2 in diag_orders:
            if (
                o.id not in used_orders
                and p1.month in DIAG_ORDER_MONTHS[stage]
                and _planning_year(p1, ctx.school_years) == sy
                and p1 <= ctx.today
            ):
                used_orders.add(o.id)
                order_id, d_from, d_to = o.id, p1, p2
                break
        if order_id is None:
            plan_order = plan_orders.get(sy)
            if plan_order is not None:
                order_id = plan_order.id
            else:
                basis = f"План работы {moc} на {sy} учебный год"
        campaign = cards.save_campaign(
            session,
            {
                "title": DIAG_STAGES[stage][0],
                "school_year": sy,
                "stage": stage,
                "date_from": d_from,
                "date_to": d_to,
                "order_id": order_id,
                "basis": basis,
                "school_ids": all_school_ids,
                "template_version": tpl.version,
            },
        )
        ctx.counts[campaign.__tablename__] = ctx.counts.get(campaign.__tablename__, 0) + 1
        years_back = y0 - int(sy[:4])
        t = DIAG_STAGE_TIME[stage] - years_back
        # a campaign still running: only the schools that are done, and some self-assessments of the others
        elapsed = (
            1.0 if d_to <= ctx.today else max(0.0, (ctx.today - d_from).days / max(1, (d_to - d_from).days))
        )
        done = {s for s in ctx.schools if elapsed >= 1.0 or rng.random() < elapsed}
        for k, tch in enumerate(teachers):
            p = tch.person
            school = _school_on(p, d_from)
            if school is None:
                continue  # not yet working in the district then
            only_self = school not in done
            if only_self and rng.random() < 0.5:
                continue
            exp = p.experience - years_back
            shnor = "shnor" in school.statuses.get(sy, [])
            level = tch.base + DIAG_CATEGORY_OFFSET.get(_category_on(p, d_from, years_back), 0.0)
            level += tch.growth * t + (0.02 * (t + years_back) if shnor else 0.0) - (0.05 if shnor else 0.0)
            theta = {
                n: level
                + DIAG_COMPETENCE_OFFSET[n]
                + tch.competence[n]
                + (DIAG_YOUNG_OFFSET[n] if exp < 3 else 0.0)
                for n in range(1, 6)
            }
            bias = {
                "self": tch.self_bias,
                "shmo": shmo_bias[school],
                "deputy": deputy_bias[school],
            }
            raters = ["self"]
            if not only_self:
                if school not in no_shmo and not (tch.shmo_head and shmo_heads.get(school, 0) <= 1):
                    raters.append("shmo")
                if rng.random() >= 0.01:
                    raters.append("deputy")
            scores: dict[str, dict[str, int | None]] = {r: {} for r in scoring.RATERS}
            for code, n in pairs:
                if tch.no_ovz and code == "3.2":
                    continue
                shared = theta[n] + rng.gauss(0, 0.07)
                for r in raters:
                    if rng.random() < 0.003:
                        continue  # a skipped line
                    x = shared + bias[r] + rng.gauss(0, 0.06)
                    scores[r][code] = 2 if x >= DIAG_CUT_OPTIMAL else 1 if x >= DIAG_CUT_SUFFICIENT else 0
            card = DiagCard(
                campaign_id=campaign.id,
                person_id=p.obj.id,
                template_version=tpl.version,
                school_id=school.obj.id,
            )
            cards.apply_scores(card, scores, tpl)
            ctx.add(card)
            if k % 500 == 0:
                ctx.progress(
                    (ci + k / len(teachers)) / len(plan),
                    f"Диагностика: {DIAG_STAGES[stage][0].split()[0].lower()} {sy}",
                )
        ctx.progress((ci + 1) / len(plan))


# --- step 8: mentoring (school partnerships, teacher pairs, plans, meetings) ------------------------------------

ROADMAP_ITEMS = (
    (
        "Анализ образовательных результатов и выявление профессиональных дефицитов педагогов",
        "сентябрь – октябрь",
    ),
    ("Взаимопосещение уроков педагогами школ-партнёров", "в течение года"),
    ("Корпоративный семинар по подготовке к оценочным процедурам (ВПР, ГИА)", "ноябрь"),
    ("Выездной «Методический день» школы-наставника", "декабрь"),
    (
        "Мастер-классы учителей школы-наставника по формированию функциональной грамотности",
        "январь – февраль",
    ),
    ("Совместное заседание методических объединений по итогам полугодия", "январь"),
    ("Стажировка педагогов на базе школы-наставника", "март"),
    ("Круглый стол «Итоги сетевого взаимодействия и планы на следующий год»", "май"),
)
PARTNERSHIP_TOPICS = (
    "Подготовка обучающихся к ВПР",
    "Формирование функциональной грамотности на уроках",
    "Работа с обучающимися с низкой учебной мотивацией",
    "Анализ результатов диагностических работ",
    "Современный урок: технологии деятельностного подхода",
    "Организация внутришкольной системы оценки качества образования",
    "Подготовка к ГИА по математике и русскому языку",
    "Сопровождение молодых педагогов",
)
MENTOR_GENERIC_TASKS = (
    "Изучить нормативные документы и локальные акты школы",
    "Разработать рабочую программу и технологические карты уроков",
    "Посетить уроки наставника и провести их анализ",
    "Провести открытый урок с последующим анализом",
    "Подготовить выступление на заседании ШМО",
)
MENTOR_MEETING_TOPICS = (
    "Планирование урока и постановка целей",
    "Анализ посещённого урока",
    "Оценивание образовательных результатов обучающихся",
    "Работа с родителями обучающихся",
    "Дисциплина на уроке и мотивация обучающихся",
    "Подготовка к открытому уроку",
    "Ведение школьной документации",
    "Индивидуальный подход к обучающимся с ОВЗ",
)
MENTOR_EVALUATIONS = (
    "Цели индивидуального плана достигнуты, профессиональные дефициты преодолены.",
    "План выполнен; наставляемый уверенно ведёт уроки, рекомендовано продолжить самообразование.",
    "Большинство задач выполнено, по итоговой диагностике уровень компетенций повысился.",
)
MENTOR_TERMINATIONS = (
    "Увольнение наставляемого",
    "Перевод наставника в другую организацию",
    "Длительная болезнь наставника",
    "По заявлению наставляемого",
)
CATEGORY_RANK = {"высшая": 3, "первая": 2, "соответствие занимаемой должности": 1}


def _latest_levels(ctx: DemoContext) -> dict[int, tuple[str | None, float]]:
    """Person id → (level, percent) of the latest diagnostic card (``scoring.level`` of the combined percent)."""
    from moc_desktop.services.diagnostics import scoring

    stage_rank = {"entry": 0, "interim": 1, "final": 2}
    best: dict[int, tuple] = {}
    q = select(
        DiagCard.person_id, DiagCard.pct, DiagCampaign.school_year, DiagCampaign.stage, DiagCampaign.id
    ).join(DiagCampaign, DiagCampaign.id == DiagCard.campaign_id)
    for pid, pct, sy, stage, cid in ctx.session.execute(q):
        key = (sy, stage_rank.get(stage, 0), cid)
        if pid not in best or key > best[pid][0]:
            best[pid] = (key, pct)
    return {pid: (scoring.level(v[1]), v[1] if v[1] is not None else 100.0) for pid, v in best.items()}


@register_step("Наставничество", weight=0.12)
def _step_mentoring(ctx: DemoContext) -> None:
    """Mentoring of the current school year.

    School partnerships: one per school-«наставник» pair of the current year (:attr:`DemoContext.mentor_pairs`),
    plus every other ШНОР/ШНСУ school of that year paired with one of the strongest schools; each has an
    agreement «Соглашение о сетевом взаимодействии» (number, date), 3–6 roadmap items and 2–8 events so far.
    Teacher pairs: every young specialist gets a mentor («педагог – молодой специалист», active or completed);
    teachers of ШНОР schools with a critical result of their latest diagnostic card get «учитель – учитель» pairs
    (mostly active, some completed with an evaluation, a few terminated with a reason or still drafts). A mentor
    is a teacher of the same school (else of the school-«наставник», else of any school) of the same subject
    where possible, with 10+ years of experience, a category above the mentee's and fewer than
    ``mentoring.max_mentees`` (3) mentees. Plans come from the mentee's deficits (``pairs.plan_from_deficits``)
    plus general tasks; some tasks are done, some overdue. Meetings: 0–10 per started pair; some active pairs
    had none in the last 30 days."""
    from moc_desktop.services.docs.common import dump, iso
    from moc_desktop.services.mentoring import pairs as mp
    from moc_desktop.services.mentoring.partnerships import EVENT_FORMATS

    if not ctx.schools or not ctx.persons:
        return
    ctx.flush()
    rng, session, today = ctx.rng, ctx.session, ctx.today
    year = ctx.year
    y0 = int(year[:4])
    start = _workday(date(y0, 9, 1))
    if start > today:  # pragma: no cover - the current school year has started by definition
        start = today

    # --- school partnerships
    links = list(ctx.mentor_pairs.get(year, []))
    linked = {low for _, low in links}
    lows = [s for s in ctx.schools if {"shnor", "shnsu"} & set(s.statuses.get(year, [])) and s not in linked]
    strong = [
        s
        for s in sorted(ctx.schools, key=lambda s: -s.quality)
        if not {"shnor", "shnsu"} & set(s.statuses.get(year, []))
    ]
    for i, low in enumerate(lows):
        if strong:
            links.append((strong[i % min(len(strong), 5)], low))
    order = session.scalar(
        select(OrderDoc)
        .where(
            OrderDoc.title.like(f"О закреплении наставников за школами%{year}%"),
            OrderDoc.deleted_at.is_(None),
        )
        .order_by(OrderDoc.date)
    )
    mentor_school: dict[DemoSchool, DemoSchool] = {}
    for n, (mentor, low) in enumerate(links, start=1):
        mentor_school[low] = mentor
        d_from = _workday(start + timedelta(days=rng.randint(0, 20)))
        d_from = min(d_from, today)
        span = max(1, (today - d_from).days)
        items = rng.sample(ROADMAP_ITEMS, rng.randint(3, 6))
        roadmap = []
        for k, (what, _when) in enumerate(items):
            when = d_from + timedelta(days=int(270 * (k + 0.5) / len(items)))
            status = (
                "done"
                if when <= today and rng.random() < 0.85
                else "cancelled"
                if rng.random() < 0.05
                else "planned"
            )
            roadmap.append(
                {
                    "what": what,
                    "when": iso(when),
                    "who": rng.choice(
                        ("Администрации школ-партнёров", "Заместители директоров по УВР", "Руководители ШМО")
                    ),
                    "expected": "Повышение качества образовательных результатов",
                    "status": status,
                }
            )
        sp = SchoolPartnership(
            mentor_school_id=mentor.obj.id,
            mentee_school_id=low.obj.id,
            date_from=d_from,
            date_to=date(y0 + 1, 5, 31),
            order_id=order.id if order is not None else None,
            agreement_kind="Соглашение о сетевом взаимодействии",
            agreement_number=f"{n}-СВ",
            agreement_date=d_from,
            status="active",
            roadmap=dump(roadmap),
        )
        ctx.add(sp)
        session.flush()
        for _ in range(rng.randint(2, 8)):
            ctx.add(
                PartnershipEvent(
                    partnership_id=sp.id,
                    date=_workday(d_from + timedelta(days=rng.randint(0, span)), d_from)
                    if span > 3
                    else d_from,
                    format=rng.choice(EVENT_FORMATS),
                    topic=rng.choice(PARTNERSHIP_TOPICS),
                    participants=rng.randint(4, 35),
                    result=rng.choice(
                        ("Проведено, материалы размещены на сайте школы", "Выработаны рекомендации", "")
                    ),
                )
            )
    ctx.progress(0.1, "Наставничество: партнёрства школ")

    # --- teacher pairs
    staff = [p for p in ctx.persons if p.obj.school_id is not None and p.obj.deleted_at is None]
    teachers_of: dict[DemoSchool, list[DemoPerson]] = {}
    for p in staff:
        if p.obj.subjects:
            teachers_of.setdefault(p.school, []).append(p)
    limit = mp.MAX_MENTEES_DEFAULT
    active_load: dict[DemoPerson, int] = {}
    total_load: dict[DemoPerson, int] = {}

    def can_mentor(m: DemoPerson, mentee: DemoPerson) -> bool:
        return (
            m is not mentee
            and m.experience >= 10
            and CATEGORY_RANK.get(m.category, 0) >= 2
            and CATEGORY_RANK.get(m.category, 0) > CATEGORY_RANK.get(mentee.category, 0)
            and total_load.get(m, 0) < limit + 1
        )

    def find_mentor(mentee: DemoPerson, active: bool) -> DemoPerson | None:
        subj = set((mentee.obj.subjects or "").split(";"))
        pools = [teachers_of.get(mentee.school, [])]
        if mentee.school in mentor_school:
            pools.append(teachers_of.get(mentor_school[mentee.school], []))
        pools.append(
            [m for s in rng.sample(ctx.schools, min(6, len(ctx.schools))) for m in teachers_of.get(s, [])]
        )
        for pool in pools:
            ok = [m for m in pool if can_mentor(m, mentee) and (not active or active_load.get(m, 0) < limit)]
            if ok:
                same = [m for m in ok if subj & set((m.obj.subjects or "").split(";"))]
                return min(same or ok, key=lambda m: (active_load.get(m, 0), -m.experience))
        # last resort (rare): any experienced teacher of the district with room for one more mentee
        for ps in teachers_of.values():
            for m in ps:
                if m is not mentee and m.experience >= 10 and active_load.get(m, 0) < limit:
                    if total_load.get(m, 0) <= limit:
                        return m
        return None

    levels = _latest_levels(ctx)
    young = [p for p in staff if is_young(p)]
    low_staff = sorted(
        (
            p
            for ps in teachers_of.values()
            for p in ps
            if {"shnor", "shnsu"} & set(p.school.statuses.get(year, []))
            and not is_young(p)
            and p.obj.id in levels
        ),
        key=lambda p: levels[p.obj.id][1],
    )
    # critical results first, then the lowest percents of the low-result schools up to the scale's number of pairs
    want = max(0, ctx.scale.get("mentor_pairs", 0) - len(young))
    critical = [p for p in low_staff if levels[p.obj.id][0] == "critical"]
    critical += [p for p in low_staff if levels[p.obj.id][0] != "critical"][: max(0, want - len(critical))]
    # «учитель – учитель»: mostly active; some completed, a few terminated and drafts (at least one of each)
    nc = len(critical)
    few = [max(1, round(nc * 0.14)), max(1, round(nc * 0.08)), max(1, round(nc * 0.08))]
    tt_status = ["completed"] * few[0] + ["terminated"] * few[1] + ["draft"] * few[2]
    tt_status = rng.sample(tt_status + ["active"] * max(0, nc - len(tt_status)), max(nc, len(tt_status)))
    jobs = [(p, "teacher_young", _weighted(rng, ["active", "completed"], [88, 12])) for p in young]
    jobs += [(p, "teacher_teacher", st) for p, st in zip(critical, tt_status, strict=False)]
    for j, (mentee, form, status) in enumerate(jobs):
        mentor = find_mentor(mentee, status == "active")
        if mentor is None:
            if status != "active":
                continue
            mentor = find_mentor(mentee, True)
            if mentor is None:
                continue
        total_load[mentor] = total_load.get(mentor, 0) + 1
        if status == "active":
            active_load[mentor] = active_load.get(mentor, 0) + 1
        if status == "completed":
            d_from = _workday(date(y0 - 1, 9, rng.randint(1, 25)))
            d_to = _workday(date(y0, 5, rng.randint(15, 31)))
        else:
            d_from = _workday(
                start + timedelta(days=rng.randint(0, max(0, min(120, (today - start).days)))), start
            )
            d_from = min(d_from, today)
            d_to = date(y0 + 1, 5, 31)
        plan = mp.plan_from_deficits(session, mentee.obj.id)[: rng.randint(2, 5)]
        plan += [
            {"task": t, "deadline": None, "status": "planned", "criterion": ""}
            for t in rng.sample(MENTOR_GENERIC_TASKS, rng.randint(1, 2))
        ]
        for k, t in enumerate(plan):
            deadline = d_from + timedelta(days=int(250 * (k + 1) / (len(plan) + 1)) + rng.randint(-10, 10))
            t["deadline"] = iso(deadline)
            if status == "completed":
                t["status"] = "done"
            elif status != "draft" and deadline <= today and rng.random() < 0.75:
                t["status"] = "done"
        pair = MentorPair(
            form_code=form,
            mentor_id=mentor.obj.id,
            mentee_ids=dump([mentee.obj.id]),
            status=status,
            date_from=d_from,
            date_to=d_to,
            goal=(
                "Адаптация молодого специалиста и развитие его профессиональных компетенций"
                if form == "teacher_young"
                else "Преодоление профессиональных дефицитов, выявленных диагностикой компетенций"
            ),
            plan=dump(plan),
            evaluation=rng.choice(MENTOR_EVALUATIONS) if status == "completed" else "",
            status_reason=rng.choice(MENTOR_TERMINATIONS) if status == "terminated" else "",
        )
        if status == "terminated":
            pair.date_to = min(today, d_from + timedelta(days=rng.randint(20, 90)))
        ctx.add(pair)
        if status in ("active", "completed", "terminated"):
            end = min(today, pair.date_to or today)
            silent = status == "active" and (today - d_from).days > 45 and rng.random() < 0.12
            last = end - timedelta(days=31) if silent else end
            days = (last - d_from).days
            n = 0 if days < 0 else min(10, rng.randint(0, max(1, days // 20)))
            if status == "active" and not silent and n == 0 and days > 30:
                n = 1
            if n:
                session.flush()
            for m_i in range(n):
                when = d_from + timedelta(days=rng.randint(0, days))
                if not silent and m_i == 0 and status == "active":
                    when = end - timedelta(days=rng.randint(0, 20))
                ctx.add(
                    MentorMeeting(
                        pair_id=pair.id,
                        date=max(d_from, when),
                        duration_min=rng.choice((30, 40, 45, 60, 90)),
                        form=rng.choice(mp.MEETING_FORMS),
                        topic=rng.choice(MENTOR_MEETING_TOPICS),
                        rating=rng.choice((None, 4, 5, 5, 3)),
                    )
                )
        if j % 200 == 0:
            ctx.progress(0.1 + 0.9 * j / max(1, len(jobs)), "Наставничество: пары наставников")


def is_young(p: DemoPerson) -> bool:
    from moc_desktop.services.staff import is_young_specialist

    return is_young_specialist(p.obj.experience_years, p.obj.young_specialist)


# --- demo accounts ---------------------------------------------------------------------------------------------

#: (login, role, post, МОЦ staff role whose name the account takes)
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("rukovoditel", "head", "директор", "director"),
    ("metodist", "methodist", "методист", "methodist"),
    ("psiholog", "psychologist", "педагог-психолог", "psychologist"),
)


@register_step("Пользователи", weight=0.02)
def _step_users(ctx: DemoContext) -> None:
    """Demo accounts (module docstring): created through ``auth.create_user`` (hashed passwords) when their login
    is free, named as the МОЦ staff of the demo (no administrator: see the module docstring). Then the
    journal's data key is opened with ``psiholog``'s demo password for :func:`_step_psych`."""
    from moc_desktop.db.models import PsychKey
    from moc_desktop.services import auth, vault

    session, rng = ctx.session, ctx.rng
    created: list[str] = []
    for login, role, post, staff_role in DEMO_ACCOUNTS:
        if auth.get_user(session, login) is not None:
            continue
        people = ctx.moc_staff.get(staff_role) or []
        if people:
            p = people[0]
            full_name = f"{p.last_name} {p.first_name} {p.middle_name}"
        else:
            full_name = ctx.new_name(rng.random() < 0.7, ctx.today.year - rng.randint(26, 55)).fio
        new = auth.create_user(session, login, full_name, role, DEMO_PASSWORD, post=post)
        ctx.counts["app_user"] = ctx.counts.get("app_user", 0) + 1
        created.append(f"{login} — {auth.ROLES[role]}")
        if new.recovery_key:
            ctx.recovery_key = new.recovery_key
    if created:
        ctx.notes.append(f"Учётные записи (пароль «{DEMO_PASSWORD}»): " + ", ".join(created) + ".")
    else:
        ctx.notes.append("Демонстрационные учётные записи уже были в базе: новые не созданы.")
    if ctx.recovery_key:
        ctx.notes.append(
            f"Ключ восстановления журнала педагога-психолога (показывается один раз): {ctx.recovery_key}."
        )
    psych = auth.get_user(session, "psiholog")
    if psych is None or psych.role != "psychologist":
        return
    ctx.psych_user_id = psych.id
    row = session.scalar(select(PsychKey).where(PsychKey.user_id == psych.id))
    if row is not None:
        try:
            ctx.journal_key = vault.unwrap_key(DEMO_PASSWORD, row.salt, row.wrapped)
        except vault.WrongKey:
            ctx.journal_key = None


# --- the psychologist's journal --------------------------------------------------------------------------------

#: Share of entries by client category (DOMAIN «Psychologist»): pupils most, then parents, teachers, administration.
PSY_CATEGORY_SHARE = {"pupil": 0.60, "parent": 0.20, "teacher": 0.15, "admin": 0.05}
#: Chance that a case of the category is a group entry (≈ 20 % of all entries are group work).
PSY_GROUP_SHARE = {"pupil": 0.2, "parent": 0.15, "teacher": 0.3, "admin": 0.1}
#: Entries per individual case (a client's history): weights for 1, 2, … 6 entries.
PSY_CASE_LENGTH = {"pupil": (30, 22, 18, 13, 10, 7), "parent": (60, 25, 10, 5), "teacher": (65, 25, 10),
                   "admin": (80, 20)}  # fmt: skip
#: Chance that an entry has no school (a consultation at the МОЦ itself).
PSY_NO_SCHOOL = 0.06

#: Individual work with a pupil: (grades, request, first kind, following kinds, result of the first entry,
#: results of later entries, recommendations). Believable requests of a school psychologist (seeds 000/001/003).
PSY_PUPIL_TOPICS: tuple[tuple, ...] = (
    (
        (5, 5),
        "Адаптация обучающихся 5 класса: трудности перехода к предметному обучению, жалобы на усталость",
        "diagnostics",
        ("correction", "consultation", "correction"),
        "Проведена диагностика школьной тревожности (методика Филлипса): повышен уровень тревожности в "
        "ситуации проверки знаний, самооценка занижена.",
        (
            "Проведено развивающее занятие: упражнения на снижение тревожности, составлен план подготовки к урокам.",
            "Положительная динамика: ребёнок легче включается в работу на уроках, меньше жалуется на усталость.",
            "Обсуждены трудности с новыми учителями-предметниками, отработаны способы обращения за помощью.",
        ),
        (
            "Классному руководителю: закрепить за ребёнком ответственное поручение, отмечать успехи.",
            "Родителям: соблюдать режим дня, не перегружать дополнительными занятиями в период адаптации.",
        ),
    ),
    (
        (1, 1),
        "Адаптация первоклассника: плачет по утрам, не хочет идти в школу, не включается в работу на уроке",
        "diagnostics",
        ("correction", "correction", "consultation"),
        "Проведена диагностика адаптации (наблюдение, рисуночная методика «Школа зверей»): признаки "
        "дезадаптации, эмоциональная напряжённость.",
        (
            "Проведено игровое коррекционно-развивающее занятие, ребёнок охотно выполнял задания.",
            "Эмоциональное состояние улучшилось, появился друг в классе.",
        ),
        (
            "Родителям: ежедневно спокойно обсуждать школьный день, не сравнивать с другими детьми.",
            "Учителю: использовать индивидуальные поощрения, давать посильные поручения.",
        ),
    ),
    (
        (9, 9),
        "Тревожность перед ГИА: страх провалить ОГЭ, нарушения сна, трудности концентрации",
        "diagnostics",
        ("consultation", "correction", "consultation"),
        "Проведена диагностика уровня экзаменационной тревожности: высокий уровень, преобладают "
        "физиологические проявления.",
        (
            "Освоены приёмы саморегуляции (дыхательные упражнения, планирование подготовки по дням).",
            "Уровень тревожности снизился, обучающийся использует приёмы саморегуляции на пробном экзамене.",
            "Обсуждены стратегии поведения на экзамене, составлен личный план подготовки.",
        ),
        (
            "Продолжить использование приёмов саморегуляции; чередовать подготовку и отдых.",
            "Родителям: поддерживать ребёнка, не усиливать значимость экзамена.",
        ),
    ),
    (
        (11, 11),
        "Тревожность перед ГИА: страх не набрать баллы ЕГЭ для поступления, высокая нагрузка",
        "consultation",
        ("diagnostics", "correction", "consultation"),
        "Проведена консультация: обсуждены ожидания, страхи, связанные с ЕГЭ и выбором вуза.",
        (
            "Проведено занятие по развитию навыков саморегуляции и тайм-менеджмента.",
            "Выявлен средний уровень тревожности, ресурсы поддержки в семье достаточные.",
        ),
        ("Составить реалистичный план подготовки; предусмотреть время на сон и отдых.",),
    ),
    (
        (5, 9),
        "Конфликт с одноклассниками: жалобы на насмешки, отказ посещать уроки физкультуры",
        "consultation",
        ("diagnostics", "correction", "consultation", "correction"),
        "Проведена беседа: выяснены обстоятельства конфликта, эмоциональное состояние ребёнка напряжённое.",
        (
            "Проведена социометрия в классе: ребёнок в группе «изолированных».",
            "Проведено занятие по развитию навыков общения и уверенного поведения.",
            "Конфликт урегулирован при участии классного руководителя, ребёнок вернулся к занятиям.",
        ),
        (
            "Классному руководителю: провести классный час по сплочению коллектива, контролировать ситуацию.",
            "Рассмотреть возможность примирительной встречи через школьную службу медиации.",
        ),
    ),
    (
        (6, 10),
        "Снижение учебной мотивации, пропуски уроков без уважительной причины",
        "diagnostics",
        ("consultation", "consultation"),
        "Проведена диагностика учебной мотивации (методика Лускановой, анкета): преобладает внешняя мотивация, "
        "интерес к учёбе снижен.",
        (
            "Проведена беседа о жизненных целях и интересах, намечены шаги по ликвидации задолженностей.",
            "Посещаемость улучшилась, задолженности по двум предметам ликвидированы.",
        ),
        ("Учителям-предметникам: дифференцированные задания, ситуация успеха на уроке.",),
    ),
    (
        (2, 5),
        "Трудности концентрации внимания на уроках, быстрая утомляемость (по запросу учителя)",
        "diagnostics",
        ("correction", "correction", "correction", "council"),
        "Проведена диагностика внимания и работоспособности (корректурная проба, таблицы Шульте): "
        "низкий объём и устойчивость внимания.",
        (
            "Проведено занятие на развитие произвольного внимания и самоконтроля.",
            "Отмечена небольшая положительная динамика в выполнении заданий по образцу.",
            "Случай рассмотрен на ППк, определён индивидуальный образовательный маршрут.",
        ),
        (
            "Учителю: чаще менять виды деятельности, давать задания небольшими порциями.",
            "Родителям: ограничить время за экраном, обеспечить полноценный сон.",
        ),
    ),
    (
        (3, 8),
        "Агрессивное поведение на переменах, драки с одноклассниками",
        "consultation",
        ("diagnostics", "correction", "correction", "consultation"),
        "Проведена беседа с обучающимся; со слов классного руководителя — повторяющиеся вспышки агрессии.",
        (
            "Проведена диагностика (тест «Несуществующее животное», опросник Басса — Дарки): повышенная "
            "враждебность.",
            "Проведено занятие по обучению способам выражения гнева без вреда для окружающих.",
            "Количество конфликтов снизилось, обучающийся использует приём «стоп-пауза».",
        ),
        ("Классному руководителю: включить ребёнка во внеурочную спортивную деятельность.",),
    ),
    (
        (8, 10),
        "Профориентация: выбор профиля обучения в 10 классе, трудности самоопределения",
        "diagnostics",
        ("consultation",),
        "Проведена профориентационная диагностика (ДДО Климова, карта интересов): ведущий тип «человек — "
        "человек», выражены социальные интересы.",
        ("Проведена консультация по результатам диагностики, обсуждены варианты профилей и колледжей.",),
        ("Посетить дни открытых дверей колледжей; пройти пробы на платформе «Билет в будущее».",),
    ),
    (
        (1, 4),
        "Трудности в освоении программы: не справляется с чтением и письмом, направление на ППк",
        "diagnostics",
        ("council", "correction", "correction", "consultation"),
        "Проведено психологическое обследование для ППк: особенности развития познавательной сферы, "
        "темп работы замедлен.",
        (
            "На заседании ППк принято решение о направлении на ПМПК, согласие родителей получено.",
            "Проведено занятие на развитие фонематического восприятия и зрительно-моторной координации.",
            "Выполнены рекомендации ПМПК, ребёнок обучается по адаптированной программе.",
        ),
        (
            "Учителю: учитывать темп работы, предоставлять образец выполнения задания.",
            "Родителям: пройти обследование у логопеда и невролога.",
        ),
    ),
    (
        (4, 9),
        "Переживание развода родителей: замкнутость, снижение успеваемости",
        "consultation",
        ("correction", "consultation", "correction"),
        "Проведена беседа: ребёнок тяжело переживает изменение семейной ситуации, эмоциональный фон снижен.",
        (
            "Проведено занятие с использованием арт-терапевтических техник.",
            "Эмоциональное состояние стабилизировалось, ребёнок делится переживаниями.",
        ),
        ("Родителям: не вовлекать ребёнка в конфликт взрослых, сохранить привычный режим дня.",),
    ),
    (
        (6, 11),
        "Низкая самооценка, замкнутость, трудности в общении со сверстниками",
        "diagnostics",
        ("correction", "correction", "consultation"),
        "Проведена диагностика самооценки (методика Дембо — Рубинштейн): заниженная самооценка.",
        (
            "Проведено занятие с элементами тренинга уверенного поведения.",
            "Ребёнок стал активнее на уроках, записался в кружок.",
        ),
        ("Классному руководителю: привлекать к делам класса, где ребёнок может проявить себя.",),
    ),
    (
        (7, 11),
        "По результатам социально-психологического тестирования (СПТ) — повышенная вероятность вовлечения в "
        "рискованное поведение",
        "consultation",
        ("diagnostics", "prevention", "consultation"),
        "Проведена беседа по результатам СПТ; выявлены трудности во взаимоотношениях в семье.",
        (
            "Проведена углублённая диагностика: факторы риска преобладают над факторами защиты.",
            "Проведено профилактическое занятие, составлен план индивидуального сопровождения.",
        ),
        ("Включить в план индивидуальной профилактической работы; информировать родителей.",),
    ),
    (
        (5, 9),
        "Зависимость от гаджетов: нарушение режима сна, конфликты с родителями из-за телефона",
        "consultation",
        ("prevention", "consultation"),
        "Проведена беседа: обучающийся проводит за телефоном до 6 часов в день, признаёт проблему.",
        ("Проведено профилактическое занятие, составлен договор об использовании телефона в семье.",),
        ("Родителям: договориться о правилах пользования гаджетами, личный пример.",),
    ),
)

#: Individual work with adults: category → (request, kinds, results, recommendations).
PSY_ADULT_TOPICS: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...]] = {
    "parent": (
        (
            "Консультация по вопросам адаптации ребёнка к обучению в 5 классе",
            ("consultation",),
            ("Даны рекомендации по организации режима дня и поддержке ребёнка в период адаптации.",),
            ("Поддерживать контакт с классным руководителем; хвалить за усилия, а не только за оценки.",),
        ),
        (
            "Трудности во взаимоотношениях с подростком: грубость, уход от общения",
            ("consultation", "consultation"),
            ("Обсуждены возрастные особенности подросткового периода, способы конструктивного общения.",),
            ("Использовать «я-сообщения», выделять время для совместных занятий.",),
        ),
        (
            "Как помочь ребёнку при подготовке к ГИА",
            ("consultation", "education"),
            ("Даны рекомендации по психологической поддержке выпускника в период подготовки к экзаменам.",),
            ("Создать спокойную обстановку дома, не сравнивать с другими детьми.",),
        ),
        (
            "Результаты психологического обследования ребёнка и рекомендации ППк",
            ("consultation", "council"),
            (
                "Родители ознакомлены с результатами обследования и решением ППк, согласие на сопровождение получено.",
            ),
            ("Выполнять рекомендации специалистов, пройти ПМПК в установленный срок.",),
        ),
        (
            "Детско-родительский конфликт из-за использования телефона и компьютерных игр",
            ("consultation",),
            ("Обсуждены причины конфликта, предложены способы договориться о правилах.",),
            ("Ввести семейные правила пользования гаджетами, предложить ребёнку альтернативные занятия.",),
        ),
    ),
    "teacher": (
        (
            "Профессиональное выгорание: эмоциональное истощение, раздражительность в работе с классом",
            ("diagnostics", "consultation"),
            (
                "Проведена диагностика эмоционального выгорания (методика В.В. Бойко): фаза «резистенция» "
                "сформирована.",
                "Проведена консультация, освоены приёмы профилактики эмоционального выгорания.",
            ),
            (
                "Планировать время отдыха, использовать приёмы саморегуляции, обращаться за поддержкой к коллегам.",
            ),
        ),
        (
            "Конфликт с классом: нарушение дисциплины на уроках",
            ("consultation", "consultation"),
            ("Проанализированы причины конфликта, обсуждены приёмы управления классом.",),
            ("Выработать с классом правила работы на уроке, использовать положительное подкрепление.",),
        ),
        (
            "Работа с обучающимся с ОВЗ в общеобразовательном классе",
            ("consultation", "council"),
            ("Обсуждены особенности ребёнка и рекомендации ПМПК, приёмы организации работы на уроке.",),
            ("Использовать наглядные опоры, дозировать задания, согласовать работу с тьютором.",),
        ),
        (
            "Трудное поведение обучающегося на уроке",
            ("consultation",),
            ("Проанализированы ситуации нарушения поведения, выработана единая тактика педагогов класса.",),
            ("Реагировать спокойно и последовательно, отмечать случаи правильного поведения.",),
        ),
        (
            "Взаимодействие с родителями, предъявляющими претензии к педагогу",
            ("consultation",),
            ("Обсуждены способы конструктивного общения с родителями, подготовлен план встречи.",),
            ("Проводить встречи с участием администрации, фиксировать договорённости письменно.",),
        ),
    ),
    "admin": (
        (
            "Психологический климат в педагогическом коллективе школы",
            ("consultation", "expertise"),
            (
                "Проведена консультация заместителя директора, согласован план диагностики климата.",
                "Проведена экспертиза психологического климата коллектива, подготовлена справка.",
            ),
            ("Провести тренинг командообразования, обсудить результаты на педагогическом совете.",),
        ),
        (
            "Организация работы психолого-педагогического консилиума школы",
            ("council", "consultation"),
            ("Участие в заседании ППк, даны рекомендации по оформлению документации.",),
            ("Утвердить план заседаний ППк, вести журнал учёта обучающихся, направляемых на ППк.",),
        ),
        (
            "Экспертиза психологической безопасности образовательной среды",
            ("expertise",),
            ("Проведено анкетирование участников образовательных отношений, подготовлено заключение.",),
            ("Разработать план мероприятий по повышению психологической безопасности среды.",),
        ),
        (
            "Конфликт между участниками образовательных отношений",
            ("consultation",),
            ("Проанализирована ситуация, предложен порядок урегулирования через службу медиации.",),
            ("Провести примирительную встречу с участием медиатора.",),
        ),
    ),
}

#: Group work: category → (kind, grades or None, size range, request, result, recommendations).
PSY_GROUP_TOPICS: dict[str, tuple[tuple[str, tuple[int, int] | None, tuple[int, int], str, str, str], ...]] = {
    "pupil": (
        ("correction", (5, 5), (10, 25), "Программа адаптации пятиклассников «Я — пятиклассник»",
         "Проведено групповое развивающее занятие, дети активно участвовали в упражнениях.", ""),
        ("correction", (1, 1), (8, 25), "Программа адаптации первоклассников «Тропинка к своему Я»",
         "Проведено занятие по развитию эмоциональной сферы и навыков общения.", ""),
        ("prevention", (9, 11), (8, 26), "Занятие с элементами тренинга «Как справиться с волнением на экзамене»",
         "Обучающиеся освоили приёмы саморегуляции, получили памятки.", "Использовать приёмы перед экзаменами."),
        ("diagnostics", (7, 11), (10, 28), "Социально-психологическое тестирование (СПТ)",
         "Тестирование проведено, результаты переданы в установленном порядке.", ""),
        ("diagnostics", (1, 4), (8, 26), "Диагностика уровня школьной мотивации (анкета Н.Г. Лускановой)",
         "Проведено анкетирование класса, результаты доведены до классного руководителя.", ""),
        ("prevention", (5, 8), (10, 27), "Классный час «Профилактика травли в школе»",
         "Обсуждены правила безопасного поведения в классе и способы обратиться за помощью.", ""),
        ("education", (8, 9), (8, 25), "Профориентационное занятие «Мир профессий»",
         "Проведена игра-погружение, обучающиеся составили профессиограммы.", ""),
    ),
    "parent": (
        ("education", None, (10, 40), "Родительское собрание «Психологическая готовность к ГИА»",
         "Родители получили рекомендации по поддержке выпускников.", ""),
        ("education", None, (10, 35), "Родительское собрание «Адаптация первоклассника: как помочь ребёнку»",
         "Выступление на собрании, розданы памятки.", ""),
        ("education", None, (8, 30), "Лекторий «Возрастные особенности подростков»",
         "Проведено занятие, родители задали вопросы о детско-родительских отношениях.", ""),
    ),
    "teacher": (
        ("education", None, (8, 30), "Семинар «Профилактика профессионального выгорания педагогов»",
         "Проведён семинар-практикум, педагоги освоили приёмы саморегуляции.",
         "Использовать приёмы саморегуляции в течение рабочего дня."),
        ("education", None, (6, 25), "Практикум «Конструктивное общение с родителями обучающихся»",
         "Разобраны трудные ситуации общения, подготовлены речевые образцы.", ""),
        ("council", None, (4, 8), "Заседание психолого-педагогического консилиума (ППк)",
         "Рассмотрены случаи обучающихся, испытывающих трудности, приняты решения о сопровождении.", ""),
        ("prevention", None, (6, 30), "Семинар «Психологическая безопасность образовательной среды»",
         "Педагоги ознакомлены с признаками травли и порядком действий.", ""),
    ),
    "admin": (
        ("council", None, (3, 6), "Совещание администрации по результатам СПТ",
         "Обсуждены результаты тестирования, определены классы для профилактической работы.", ""),
        ("expertise", None, (2, 5), "Экспертиза программы психолого-педагогического сопровождения школы",
         "Даны замечания и предложения по программе.", ""),
    ),
}  # fmt: skip

PSY_NOTES = (
    "Согласие родителей (законных представителей) на психологическое сопровождение получено.",
    "Наблюдать в динамике.",
    "Повторная встреча с участием классного руководителя.",
    "Информация передана социальному педагогу.",
    "Ребёнок пришёл по собственной инициативе.",
    "На встрече присутствовала мама.",
    "Запрос поступил от классного руководителя.",
)
_PSY_DURATIONS = {
    "consultation": (30, 40, 45, 45, 60),
    "diagnostics": (45, 45, 60, 90),
    "correction": (30, 40, 40, 45),
    "education": (45, 60, 90),
    "prevention": (40, 45, 60),
    "expertise": (60, 90, 120),
    "council": (45, 60, 90),
}
_PSY_CODE_LETTER = {"pupil": "О", "parent": "Р", "teacher": "П", "admin": "А"}
PSY_BATCH = 5000


def _psych_days(ctx: DemoContext) -> list[date]:
    """Working days of the three school years up to ``today``: September–May and the first three weeks of June,
    without weekends and the New Year holidays."""
    days: list[date] = []
    for year in ctx.school_years:
        y0 = int(year[:4])
        d, end = date(y0, 9, 1), min(date(y0 + 1, 6, 20), ctx.today)
        while d <= end:
            if d.weekday() < 5 and not (d.month == 1 and d.day <= 8) and not (d.month == 12 and d.day == 31):
                days.append(d)
            d += timedelta(days=1)
    return days


@register_step("Работа педагога-психолога", weight=0.12)
def _step_psych(ctx: DemoContext) -> None:
    """The psychologist's journal over the three school years (``SCALES[…]["psych_sessions"]`` entries).

    Entries are cases: a pupil with a code «О-0001»… seen 1–6 times (a history: diagnostics, then correction
    sessions, a consultation…), a parent «Р-…», a teacher «П-…» or the administration «А-…» seen 1–4 times, or a
    group entry without a code (a class, a parents' meeting, a seminar). Categories ≈ 60/20/15/5 %, ≈ 80 %
    individual; most entries at ШНОР/ШНСУ schools of their year, a few at the МОЦ (no school); ≈ 30 % carry a
    follow-up date (some overdue). About 10 % of pupil codes get a card in the code table with an invented name.
    The request, result, recommendations and notes are encrypted with the journal key exactly as
    ``psych.journal.save_session`` does (uuid made in Python, value bound to uuid and field); rows are inserted in
    batches with a Core ``insert`` executemany (the ORM's bulk insert splits rows by their empty fields and is
    several times slower); a confidential table has no change log, and the audit is off for the demo."""
    import uuid as uuid_mod

    from sqlalchemy import insert

    from moc_desktop.db.models import PsychClient, PsychSession, utcnow
    from moc_desktop.services import vault
    from moc_desktop.services.psych import clients

    target = ctx.scale.get("psych_sessions", 0)
    if not target:
        return
    if ctx.journal_key is None or ctx.psych_user_id is None:
        ctx.counts["psych_session"] = 0
        ctx.notes.append(
            "Записи журнала педагога-психолога не созданы: журнал в этой базе защищён ключом, который "
            "демонстрационная учётная запись «psiholog» не открывает."
        )
        return
    ctx.flush()
    rng, session, today = ctx.rng, ctx.session, ctx.today
    cipher = vault.FieldCipher(ctx.journal_key)
    days = _psych_days(ctx)
    if not days:  # pragma: no cover - the current school year has started by definition
        return
    year_of = {d: school_year_of(d) for d in days}
    schools_by_year: dict[str, tuple[list[DemoSchool], list[float]]] = {}
    for y in ctx.school_years:
        ws = [5.0 if {"shnor", "shnsu"} & set(s.statuses.get(y, [])) else 1.0 for s in ctx.schools]
        schools_by_year[y] = (list(ctx.schools), ws)
    next_no = {}
    for cat in _PSY_CODE_LETTER:
        m = re.search(r"(\d+)$", clients.next_code(session, cat))
        next_no[cat] = int(m.group(1)) if m else 1
    now = utcnow()
    conn = session.connection()
    user_id = ctx.psych_user_id
    rows: list[dict] = []
    client_rows: list[dict] = []
    written = 0

    def flush_rows(force: bool = False) -> None:
        nonlocal written
        if rows and (force or len(rows) >= PSY_BATCH):
            conn.execute(insert(PsychSession.__table__), rows)  # Core executemany: one statement
            written += len(rows)
            rows.clear()
            ctx.check_cancel()
            ctx.progress(written / target, "Работа педагога-психолога: журнал")

    def school_for(day: date) -> DemoSchool | None:
        pool, weights = schools_by_year[year_of[day]]
        if not pool or rng.random() < PSY_NO_SCHOOL:
            return None
        return rng.choices(pool, weights=weights, k=1)[0]

    def grade_in(school: DemoSchool | None, lo: int, hi: int) -> int:
        top = 9 if school is not None and school.kind == "oosh" else 11
        return rng.randint(min(lo, top), min(hi, top))

    def letter(school: DemoSchool | None) -> str:
        big = school is None or school.in_centre
        return rng.choice("АБВ" if big else "АБ") if big or rng.random() < 0.4 else "А"

    def add(day, kind, cat, school, klass, code, form, size, request, result, recs, follow) -> None:
        uid = str(uuid_mod.uuid4())
        note = rng.choice(PSY_NOTES) if rng.random() < 0.15 else ""
        hour, half = rng.randint(8, 16), rng.choice((0, 30))
        rows.append(
            {
                "uuid": uid,
                "psychologist_id": user_id,
                "held_on": day,
                "start_time": "" if rng.random() < 0.08 else f"{hour:02d}:{half:02d}",
                "duration_min": rng.choice(_PSY_DURATIONS[kind]),
                "school_id": school.obj.id if school is not None else None,
                "client_category": cat,
                "client_class": klass,
                "client_code": code,
                "form": form,
                "group_size": size,
                "kind": kind,
                "request_enc": cipher.encrypt(request, uid, "request"),
                "result_enc": cipher.encrypt(result, uid, "result"),
                "recommendations_enc": cipher.encrypt(recs, uid, "recommendations"),
                "notes_enc": cipher.encrypt(note, uid, "notes"),
                "follow_up_on": follow,
                "created_at": now,
                "updated_at": now,
            }
        )
        flush_rows()

    def later(day: date) -> date | None:
        """A working day 7–21 days after ``day`` within the journal's days (``None`` past today)."""
        want = day + timedelta(days=rng.randint(7, 21))
        if want > today:
            return None
        while want.weekday() >= 5:
            want += timedelta(days=1)
        return want if want <= today else None

    budget = {c: n for c, n in zip(PSY_CATEGORY_SHARE, _allocate(target, list(PSY_CATEGORY_SHARE.values()), 0),
                                   strict=True)}  # fmt: skip
    for cat in PSY_CATEGORY_SHARE:
        left = budget[cat]
        while left > 0:
            day = rng.choice(days)
            school = school_for(day)
            if rng.random() < PSY_GROUP_SHARE[cat]:
                kind, grades, (lo, hi), request, result, recs = rng.choice(PSY_GROUP_TOPICS[cat])
                klass = ""
                if grades is not None:
                    klass = f"{grade_in(school, *grades)}{letter(school)}"
                elif cat == "parent" and rng.random() < 0.5:
                    klass = f"{rng.randint(1, 11 if school is None or school.kind != 'oosh' else 9)}{letter(school)}"
                add(
                    day,
                    kind,
                    cat,
                    school,
                    klass,
                    "",
                    "group",
                    rng.randint(lo, hi),
                    request,
                    result,
                    recs,
                    None,
                )
                left -= 1
                continue
            n = min(left, rng.choices(range(1, 7), weights=_pad(PSY_CASE_LENGTH[cat]), k=1)[0])
            code = f"{_PSY_CODE_LETTER[cat]}-{next_no[cat]:04d}"
            next_no[cat] += 1
            dates = [day]
            while len(dates) < n:
                nxt = later(dates[-1])
                if nxt is None or year_of.get(nxt) != year_of[day]:
                    break
                dates.append(nxt)
            if cat == "pupil":
                grades, request, first, following, result1, results, recs = rng.choice(PSY_PUPIL_TOPICS)
                klass = f"{grade_in(school, *grades)}{letter(school)}"
                kinds = [first, *following]
                plan = [(kinds[min(i, len(kinds) - 1)], result1 if i == 0 else rng.choice(results))
                        for i in range(len(dates))]  # fmt: skip
                rec_pool = recs
                if rng.random() < 0.1:
                    grade = int(klass[:-1])
                    by = int(year_of[day][:4]) - 6 - grade
                    name = ctx.new_name(rng.random() < 0.5, by)
                    cid = str(uuid_mod.uuid4())
                    doc = {
                        "full_name": name.fio,
                        "birth_date": date(by, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
                        "class_name": klass,
                        "contacts": f"мама: +7 9{rng.randint(0, 99):02d} {rng.randint(100, 999)}-"
                        f"{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                        "note": "",
                    }
                    client_rows.append(
                        {
                            "uuid": cid,
                            "code": code,
                            "category": "pupil",
                            "school_id": school.obj.id if school is not None else None,
                            "secret": cipher.encrypt(json.dumps(doc, ensure_ascii=False), cid, "secret"),
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
            else:
                request, kinds_t, results_t, rec_pool = rng.choice(PSY_ADULT_TOPICS[cat])
                klass = (
                    f"{grade_in(school, 1, 11)}{letter(school)}"
                    if cat == "parent" and rng.random() < 0.7
                    else ""
                )
                plan = [(kinds_t[min(i, len(kinds_t) - 1)], results_t[min(i, len(results_t) - 1)])
                        for i in range(len(dates))]  # fmt: skip
            for i, (d, (kind, result)) in enumerate(zip(dates, plan, strict=True)):
                follow = None
                if i + 1 < len(dates):
                    follow = dates[i + 1] if rng.random() < 0.35 else None
                elif rng.random() < 0.3:
                    follow = d + timedelta(days=rng.randint(7, 45))
                req = request if i == 0 else f"Повторная встреча: {_lower_first(request)}"
                recs = rng.choice(rec_pool) if rng.random() < 0.85 else ""
                add(d, kind, cat, school, klass, code, "individual", 1, req, result, recs, follow)
            left -= len(dates)
    flush_rows(force=True)
    if client_rows:
        conn.execute(insert(PsychClient.__table__), client_rows)
    ctx.counts["psych_session"] = written
    ctx.counts["psych_client"] = len(client_rows)


def _pad(weights: tuple[int, ...], n: int = 6) -> tuple[int, ...]:
    return tuple(weights) + (0,) * (n - len(weights))
