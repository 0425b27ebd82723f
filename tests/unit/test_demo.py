"""Demo data generator (services.demo): sizes, statuses over three years, mentor pairs, names, indicator kinds,
МОЦ staff, orders and protocols of the last year, competence diagnostics, change log, determinism, refusal on a
non-empty base, cancel; demo accounts and the psychologist's journal (encrypted, aggregates only for others)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from moc_desktop.db.engine import open_database, session_scope
from moc_desktop.db.models import (
    SYNCED_MODELS,
    ChangeLog,
    Course,
    DiagCampaign,
    DiagCard,
    OrderDoc,
    Person,
    Protocol,
    RefIndicator,
    School,
    SchoolIndicator,
    SchoolIor,
    SchoolStatus,
    Setting,
    StaffMove,
    SwotItem,
    utcnow,
)
from moc_desktop.services import demo
from moc_desktop.services.common import fold
from moc_desktop.services.diagnostics import analytics, cards, scoring
from moc_desktop.services.docs import orders, protocols
from moc_desktop.services.docs.common import load
from moc_desktop.services.schools import SHNOR_SUB_LABELS, SWOT_QUADRANTS, indicator_value_ok, validate_school
from moc_desktop.services.staff import (
    CATEGORIES,
    EDUCATION_LEVELS,
    POSITIONS,
    SUBJECTS,
    is_young_specialist,
    split_list,
    validate_person,
)

TODAY = date(2026, 3, 15)
YEARS = ["2023/2024", "2024/2025", "2025/2026"]
#: every record the generator writes (documents are shared records too)
MODELS = (*SYNCED_MODELS, *(m for m in (OrderDoc, Protocol) if m not in SYNCED_MODELS))
SCHOOL_STAFF = Person.school_id.is_not(None)


@pytest.fixture(scope="module")
def demo_s(tmp_path_factory):
    """Scale S generated once for the module (0.8 s); the tests using it only read."""
    tmp = tmp_path_factory.mktemp("demo_s")
    engine, factory = open_database(f"sqlite:///{tmp / 'demo.sqlite3'}", tmp / "backups")
    summary = demo.generate_demo(factory, "S", seed=2026, today=TODAY)
    yield factory, summary
    engine.dispose()


@pytest.fixture
def no_diagnostics(monkeypatch):
    """Tests about other records skip the diagnostics step (nearly half of the generation time at S)."""
    monkeypatch.setattr(demo, "STEPS", [st for st in demo.STEPS if st.title != "Диагностика компетенций"])


def _fios(factory, n=None, school_staff=False):
    with factory() as s:
        q = select(Person.last_name, Person.first_name, Person.middle_name, Person.birth_year).order_by(
            Person.id
        )
        if school_staff:
            q = q.where(SCHOOL_STAFF)
        if n:
            q = q.limit(n)
        return [tuple(r) for r in s.execute(q)]


# --- sizes and structure ---------------------------------------------------------------------------------------


def test_scale_s_counts_match_the_summary_and_the_base(demo_s):
    factory, summary = demo_s
    assert summary.schools == 12
    assert summary.school_years == YEARS
    with factory() as s:
        for model in MODELS:
            n = s.scalar(select(func.count()).select_from(model))
            assert summary[model.__tablename__] == n, model.__tablename__
        assert s.scalar(select(func.count()).select_from(School)) == 12
        assert s.scalar(select(func.count()).select_from(Person).where(SCHOOL_STAFF)) == 300
        moc = s.scalar(select(func.count()).select_from(Person).where(Person.school_id.is_(None)))
        assert summary.persons == 300 + moc  # МОЦ staff and the head of the education authority: no school
        assert 2 + 3 + 2 <= moc <= 2 + 6 + 2 + 1
        assert s.scalar(select(func.count()).select_from(Course)) > 300
        assert s.scalar(select(func.count()).select_from(SchoolIor)) == 36  # 12 schools × 3 calendar years
    assert summary.seconds >= 0
    assert summary["order_doc"] == 40 and summary["protocol"] == 12
    described = summary.describe()
    assert "школ — 12" in described and "приказов — 40" in described and "протоколов — 12" in described
    assert f"диагностик — {summary['diag_campaign']}" in described
    assert f"диагностических карт — {summary['diag_card']}" in described


def test_statuses_cover_exactly_three_school_years_with_orders(demo_s):
    factory, _ = demo_s
    with factory() as s:
        rows = list(s.scalars(select(SchoolStatus)))
        assert sorted({r.school_year for r in rows}) == YEARS
        for r in rows:
            assert re.fullmatch(r"\d{3}-од", r.order_number), r.order_number
            start = int(r.school_year[:4])
            assert r.order_date is not None and r.order_date.year == start and r.order_date.month in (8, 9)
            assert r.order_date <= TODAY
        by_year = {y: Counter(r.status_code for r in rows if r.school_year == y) for y in YEARS}
        for y in YEARS:
            assert 0.15 <= by_year[y]["shnor"] / 12 <= 0.3, by_year[y]
            assert by_year[y]["shnsu"] >= 1
            assert 1 <= by_year[y]["consulting"] <= 2
        # «школа роста» in the latest year: a school that was ШНОР the year before and is not any more
        growth = [r for r in rows if r.status_code == "growth" and r.school_year == YEARS[-1]]
        assert growth
        for g in growth:
            codes = {(r.school_year, r.status_code) for r in rows if r.school_id == g.school_id}
            assert (YEARS[-2], "shnor") in codes and (YEARS[-1], "shnor") not in codes
        for r in rows:
            if r.status_code == "shnor":
                assert r.sub_label in SHNOR_SUB_LABELS
        # ШНОР and ШНСУ at once happens
        both = {r.school_id for r in rows if r.status_code == "shnor"} & {
            r.school_id for r in rows if r.status_code == "shnsu"
        }
        assert both


def test_every_low_result_school_has_another_school_as_mentor(demo_s):
    factory, _ = demo_s
    with factory() as s:
        names = {sc.id: sc.short_name for sc in s.scalars(select(School))}
        ids = {v: k for k, v in names.items()}
        rows = list(s.scalars(select(SchoolStatus)))
        for year in YEARS:
            shnor = [r for r in rows if r.school_year == year and r.status_code == "shnor"]
            mentors = {r.school_id: r for r in rows if r.school_year == year and r.status_code == "mentor"}
            assert shnor
            for r in shnor:
                m = re.fullmatch(r"Школа-наставник: (.+)", r.note)
                assert m, r.note
                mentor_id = ids[m.group(1)]
                assert mentor_id != r.school_id
                assert mentor_id in mentors, f"{m.group(1)} has no «наставник» status in {year}"
                assert names[r.school_id] in mentors[mentor_id].note
                mentor_codes = {
                    x.status_code for x in rows if x.school_id == mentor_id and x.school_year == year
                }
                assert "shnor" not in mentor_codes


def test_schools_are_valid_unique_and_plausible(demo_s):
    factory, _ = demo_s
    with factory() as s:
        schools = list(s.scalars(select(School)))
        shorts = [fold(sc.short_name) for sc in schools]
        assert len(set(shorts)) == len(shorts) == 12
        directors = {
            " ".join((p.last_name, p.first_name, p.middle_name)): p
            for p in s.scalars(select(Person).where(SCHOOL_STAFF))
        }
        for sc in schools:
            data = {
                f: getattr(sc, f) for f in ("short_name", "email", "pupils_noo", "pupils_ooo", "pupils_soo")
            }
            assert validate_school(data) == {}, sc.short_name
            assert (
                sc.full_name.startswith("Муниципальное ")
                and "общеобразовательное учреждение «" in sc.full_name
            )
            assert re.fullmatch(r"М[БКА]ОУ «.+»", sc.short_name)
            assert re.fullmatch(r"8 \(34678\) 2-\d\d-\d\d", sc.phone)
            assert sc.director_post in ("директор", "и.о. директора")
            head = directors[sc.director_name]  # the head is one of the school's staff
            assert head.school_id == sc.id
            if sc.director_post == "директор":
                assert "директор" in split_list(head.positions)
            if "ООШ" in sc.short_name:
                assert sc.pupils_soo is None
            else:
                assert sc.pupils_soo and sc.pupils_soo > 0
            assert sc.pupils_noo > 0 and sc.pupils_ooo > 0
        assert any("лицей" in sc.short_name for sc in schools)
        assert any("гимназия" in sc.short_name for sc in schools)
        assert any("№ 2" in sc.short_name for sc in schools)
        assert any(sc.is_rural for sc in schools) and not all(sc.is_rural for sc in schools)


# --- staff -----------------------------------------------------------------------------------------------------


def test_person_names_unique_and_gender_agrees(demo_s):
    factory, summary = demo_s
    with factory() as s:
        people = list(s.scalars(select(Person)))
    keys = [(fold(p.last_name), fold(p.first_name), fold(p.middle_name), p.birth_year) for p in people]
    assert len(set(keys)) == len(keys) == summary.persons
    women = 0
    for p in people:
        last, first, middle = p.last_name, p.first_name, p.middle_name
        if middle.endswith("на"):
            women += 1
            assert p.gender == "f", (last, first, middle)
            assert first in demo.FEMALE_FIRST_NAMES, (last, first, middle)
            assert not last.endswith(("ов", "ев", "ёв", "ин", "ын", "ий", "ой")), (last, first, middle)
        else:
            assert p.gender == "m", (last, first, middle)
            assert middle.endswith("ич"), middle
            assert first in demo.MALE_FIRST_NAMES, (last, first, middle)
            assert not last.endswith(("ова", "ева", "ёва", "ина", "ына", "ая")), (last, first, middle)
    assert 0.7 <= women / len(people) <= 0.9


@pytest.mark.parametrize(
    ("male", "female"),
    [("Иванов", "Иванова"), ("Соловьёв", "Соловьёва"), ("Ильин", "Ильина"), ("Покровский", "Покровская")]
    + [("Высоцкий", "Высоцкая"), ("Ткаченко", "Ткаченко"), ("Черных", "Черных")],
)
def test_female_surnames(male, female):
    assert demo.surname_for(male, female=True) == female
    assert demo.surname_for(male, female=False) == male


def test_staff_records_are_valid_and_have_a_current_work_place(demo_s):
    factory, _ = demo_s
    with factory() as s:
        persons = list(s.scalars(select(Person).where(SCHOOL_STAFF)))
        assert len(persons) == 300
        open_moves = Counter()
        for m in s.scalars(select(StaffMove)):
            if m.date_to is None:
                open_moves[(m.person_id, m.school_id)] += 1
            else:
                assert m.date_from < m.date_to
        heads = Counter()
        movers = 0
        for p in persons:
            fields = (
                "last_name",
                "first_name",
                "birth_year",
                "experience_years",
                "category",
                "category_date",
            )
            data = {f: getattr(p, f) for f in fields}
            assert validate_person(data, today=TODAY) == {}, (p.last_name, data)
            assert 1958 <= p.birth_year <= 2003
            assert open_moves[(p.id, p.school_id)] == 1, p.last_name
            assert all(pos in POSITIONS for pos in split_list(p.positions)), p.positions
            assert all(sub in SUBJECTS for sub in split_list(p.subjects)), p.subjects
            assert p.education in EDUCATION_LEVELS and p.category in CATEGORIES
            assert (p.category == "без категории") == (p.category_date is None)
            if "директор" in split_list(p.positions):
                heads[p.school_id] += 1
            if len(p.moves) > 1:
                movers += 1
                assert p.moves[-1].school_id == p.school_id and p.moves[-1].date_to is None
                assert p.moves[0].school_id != p.school_id
            for c in p.courses:
                assert c.hours in (16, 36, 72) and c.title and c.provider
                assert c.date_from <= c.date_to <= TODAY
                assert (TODAY - c.date_to).days <= 5 * 366
        assert all(n == 1 for n in heads.values())
        assert 1 <= movers <= 40
        assert any(p.positions == "учитель; руководитель ШМО" for p in persons)
        assert any(p.positions == "педагог-психолог" for p in persons)


# --- indicators, ИОР, SWOT -------------------------------------------------------------------------------------


def test_indicator_values_fit_their_kinds_and_staff_quality_is_computed(demo_s):
    factory, _ = demo_s
    with factory() as s:
        kinds = {r.code: r.kind for r in s.scalars(select(RefIndicator))}
        rows = list(s.scalars(select(SchoolIndicator)))
        assert {r.school_year for r in rows} == set(YEARS)
        for r in rows:
            assert r.value is not None
            assert indicator_value_ok(kinds[r.indicator_code], r.value) is None, (r.indicator_code, r.value)
        # every school has every indicator each year (ЕГЭ / 11th grade only where there is СОО)
        per = Counter((r.school_id, r.school_year) for r in rows)
        for sc in s.scalars(select(School)):
            expected = len(kinds) - (4 if sc.pupils_soo is None else 0)
            for y in YEARS:
                assert per[(sc.id, y)] == expected, (sc.short_name, y)
        # staff quality of the latest year is computed from the school's staff (all hired before 20.09)
        latest = {(r.school_id, r.indicator_code): r for r in rows if r.school_year == YEARS[-1]}
        for sc in s.scalars(select(School)):
            staff = list(s.scalars(select(Person).where(Person.school_id == sc.id)))
            n = len(staff)
            assert latest[(sc.id, "sq_total")].value == n
            higher = sum(1 for p in staff if p.education.startswith("высшее"))
            assert latest[(sc.id, "sq_higher")].value == round(100 * higher / n, 1)
            assert latest[(sc.id, "sq_higher")].count == higher
            old = sum(1 for p in staff if 2025 - p.birth_year >= 55)
            assert latest[(sc.id, "sq_age_55")].value == round(100 * old / n, 1)
            psych = any("педагог-психолог" in p.positions for p in staff)
            assert latest[(sc.id, "mon_psychologist")].value == (1.0 if psych else 0.0)


def test_ior_is_lower_for_low_result_schools(demo_s):
    factory, _ = demo_s
    with factory() as s:
        ior = list(s.scalars(select(SchoolIor)))
        assert {r.year for r in ior} == {2023, 2024, 2025}
        assert all(0.35 <= r.value <= 0.75 for r in ior)
        shnor = set(
            s.scalars(
                select(SchoolStatus.school_id).where(
                    SchoolStatus.status_code == "shnor", SchoolStatus.school_year == YEARS[-1]
                )
            )
        )
        low = [r.value for r in ior if r.school_id in shnor and r.year == 2025]
        rest = [r.value for r in ior if r.school_id not in shnor and r.year == 2025]
        assert sum(low) / len(low) < sum(rest) / len(rest)


def test_swot_for_low_result_schools_of_the_latest_year(demo_s):
    factory, _ = demo_s
    with factory() as s:
        shnor = set(
            s.scalars(
                select(SchoolStatus.school_id).where(
                    SchoolStatus.status_code == "shnor", SchoolStatus.school_year == YEARS[-1]
                )
            )
        )
        items = list(s.scalars(select(SwotItem)))
        assert {i.school_id for i in items} == shnor
        assert {i.school_year for i in items} == {YEARS[-1]}
        per = Counter((i.school_id, i.quadrant) for i in items)
        for sid in shnor:
            for q in SWOT_QUADRANTS:
                assert 2 <= per[(sid, q)] <= 4


# --- МОЦ staff, orders and protocols ---------------------------------------------------------------------------


def _orders(s):
    return list(s.scalars(select(OrderDoc).order_by(OrderDoc.date, OrderDoc.id)))


def test_moc_staff_have_no_school_and_a_post_for_documents(demo_s):
    factory, _ = demo_s
    with factory() as s:
        moc_name = s.get(Setting, "moc_name").value
        staff = list(s.scalars(select(Person).where(Person.school_id.is_(None))))
        by_post = Counter(p.positions for p in staff)
        assert by_post["директор"] == 1 and by_post["заместитель директора"] == 1
        assert 3 <= by_post["методист"] <= 6
        assert by_post["педагог-психолог"] == 1 and by_post["социальный педагог"] == 1
        for p in staff:
            assert p.gender in ("f", "m")
            assert (
                validate_person({f: getattr(p, f) for f in ("last_name", "first_name", "birth_year")}) == {}
            )
            if p.positions != "начальник Управления образования":
                assert p.doc_post == f"{p.positions} {moc_name}"
                assert p.phone.startswith("8 (34678) 2-") and "@" in p.email
        # the head of the education authority is the person the settings name («Л.В. Соболева»)
        head = next(p for p in staff if p.positions == "начальник Управления образования")
        initials = s.get(Setting, "uo_head_name").value
        assert initials == f"{head.first_name[0]}.{head.middle_name[0]}. {head.last_name}"
        assert head.gender == "f" and head.first_name in demo.FEMALE_FIRST_NAMES


def test_head_of_the_authority_follows_the_installation_settings(factory, no_diagnostics):
    with session_scope(factory) as s:
        s.add(Setting(key="uo_head_name", value="Т.Б. Киселева"))
        s.add(Setting(key="order_suffix", value="-о"))
    demo.generate_demo(factory, "S", today=TODAY)
    with factory() as s:
        head = s.scalars(
            select(Person).where(Person.last_name == "Киселева", Person.school_id.is_(None))
        ).one()
        assert head.first_name.startswith("Т") and head.middle_name.startswith("Б") and head.gender == "f"
        signed = [o for o in _orders(s) if o.number is not None]
        assert {o.signatory_name for o in _orders(s)} == {"Т.Б. Киселева"}
        assert {o.suffix for o in signed} == {"-о"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Т.Б. Киселева", ("Киселева", "Т", "Б", True)),
        ("Киселев Т. Б.", ("Киселев", "Т", "Б", False)),
        ("Киселева Татьяна Борисовна", ("Киселева", "Татьяна", "Борисовна", True)),
        ("Черных Олег Ильич", ("Черных", "Олег", "Ильич", False)),
        ("Управление", None),
        ("", None),
    ],
)
def test_parse_head_name(text, expected):
    assert demo.parse_head_name(text) == expected


def test_orders_of_the_last_year_are_numbered_without_gaps_in_date_order(demo_s):
    factory, _ = demo_s
    with factory() as s:
        all_orders = _orders(s)
        assert len(all_orders) == 40
        status = Counter(o.status for o in all_orders)
        assert status["draft"] == 4 and status["cancelled"] == 2 and status["signed"] == 34
        assert all(TODAY - timedelta(days=365) < o.date <= TODAY for o in all_orders)
        numbered = [o for o in all_orders if o.status != "draft"]
        for year in {o.reg_year for o in numbered}:
            in_year = sorted((o for o in numbered if o.reg_year == year), key=lambda o: o.number)
            assert [o.number for o in in_year] == list(range(1, len(in_year) + 1)), year
            dates = [o.date for o in in_year]
            assert dates == sorted(dates) and {d.year for d in dates} == {year}
            assert {o.suffix for o in in_year} == {"-од"}
        for o in all_orders:
            if o.status == "draft":
                assert o.number is None and o.reg_year is None and o.suffix == ""
                assert (TODAY - o.date).days <= 14  # drafts are recent
            assert orders.validate_order(orders.order_data(o)) == {}, o.title
        for o in (o for o in all_orders if o.status == "cancelled"):
            m = re.fullmatch(
                r"приказ от (\d\d\.\d\d\.\d{4}) № (\d+)-од «Об отмене приказа от .+»", o.cancel_note
            )
            assert m, o.cancel_note
            revoking = next(
                x for x in numbered if x.number == int(m.group(2)) and x.title.startswith("Об отмене")
            )
            assert revoking.date > o.date and revoking.status == "signed"


def test_orders_are_typical_and_filled_from_the_data(demo_s):
    factory, _ = demo_s
    with factory() as s:
        all_orders = _orders(s)
        staff_ids = set(s.scalars(select(Person.id)))
        titles = [o.title for o in all_orders]
        for start in (
            "О присвоении статусов",
            "О закреплении наставников",
            "Об организации наставничества",
            "О проведении диагностики профессиональных компетенций",
            "Об утверждении дорожной карты",
            "О принятии мер по устранению низких образовательных результатов",
        ):
            assert any(t.startswith(start) for t in titles), start
        controls = Counter()
        for o in all_orders:
            d = orders.order_data(o)
            assert 2 <= len(d["items"]) <= 6, o.title
            assert d["basis"] or o.template == "revoke"
            if d["basis"]:
                assert d["basis"][0]["number"] == "273-ФЗ" and "{основания}" in d["preamble"]
            for num, it in orders._numbered(d["items"]):
                ref = it.get("responsible")
                if ref:
                    assert ref["person_id"] in staff_ids, num
                if it.get("deadline"):
                    assert ref, (o.title, num)  # a deadline without a person is written into the text
            ex = d["executor"]
            executor = s.get(Person, ex["person_id"])
            assert executor.school_id is None and ex["phone"] and ex["email"]
            controls[d["control"]["mode"]] += 1
            assert o.signatory_name == "Л.В. Соболева"
        assert controls["self"] and controls["assign"]
        assert any(len(orders.order_data(o)["acquaintance"]) >= 3 for o in all_orders)
        assert any(it.get("children") for o in all_orders for it in load(o.items, []))
        # appendices from the data: statuses of the year, mentor pairs, the low-result schools
        statuses = next(
            o for o in all_orders if o.title.startswith("О присвоении статусов общеобразовательным")
        )
        table = load(statuses.appendices, [])[0]
        assert table["headers"] == ["№ п/п", "Образовательная организация", "Статус", "Основание"]
        year = re.search(r"\d{4}/\d{4}", statuses.title).group(0)
        n_status = s.scalar(
            select(func.count())
            .select_from(SchoolStatus)
            .where(
                SchoolStatus.school_year == year, SchoolStatus.status_code.in_(("shnor", "shnsu", "growth"))
            )
        )
        assert len(table["rows"]) == n_status
        assert statuses.date == s.scalar(
            select(func.min(SchoolStatus.order_date)).where(
                SchoolStatus.school_year == year, SchoolStatus.status_code == "shnor"
            )
        )
        mentors = next(o for o in all_orders if o.title.startswith("О закреплении наставников"))
        table = load(mentors.appendices, [])[0]
        assert table["headers"] == [
            "Школа-наставник",
            "Руководитель",
            "Школа с низкими результатами",
            "Руководитель",
        ]
        shnor = set(
            s.scalars(
                select(School.short_name)
                .join(SchoolStatus, SchoolStatus.school_id == School.id)
                .where(SchoolStatus.school_year == year, SchoolStatus.status_code == "shnor")
            )
        )
        assert {r[2] for r in table["rows"]} == shnor
        diag = next(o for o in all_orders if o.title.startswith("О проведении диагностики"))
        rows = load(diag.appendices, [])[0]["rows"]
        assert rows and all(r[2].startswith(("директор ", "и.о. директора ")) for r in rows)


def test_controlled_tasks_include_overdue_ones(demo_s):
    factory, _ = demo_s
    with factory() as s:
        tasks = orders.controlled_tasks(s, today=TODAY)
        overdue = [t for t in tasks if t.overdue]
        assert 1 <= len(overdue) < len(orders.controlled_tasks(s, today=TODAY, include_done=True)) // 4
        assert any(t.deadline >= TODAY for t in tasks)  # some are still ahead
        assert all(t.responsible for t in tasks)
        done = [t for t in orders.controlled_tasks(s, today=TODAY, include_done=True) if t.done_on]
        assert done and all(t.done_on <= TODAY for t in done)


def test_every_order_and_protocol_builds_a_document(demo_s):
    factory, _ = demo_s
    with factory() as s:
        for o in _orders(s):
            text = orders.build_document(s, o).all_text()
            assert o.title in text
            assert "ПРИКАЗЫВАЮ:" in text and "Л.В. Соболева" in text
            if o.number is not None:
                assert f"№ {o.number}-од" in text
            if o.status == "cancelled":
                assert "ОТМЕНЁН: приказ от" in text
        for p in s.scalars(select(Protocol)):
            text = protocols.build_document(s, p).all_text()
            assert "ПОВЕСТКА ДНЯ:" in text and "СЛУШАЛИ:" in text and "Кворум имеется" in text


def test_protocols_are_numbered_per_body_and_year(demo_s):
    factory, _ = demo_s
    with factory() as s:
        rows = list(s.scalars(select(Protocol).order_by(Protocol.date, Protocol.id)))
        assert len(rows) == 12
        assert Counter(p.status for p in rows) == {"signed": 11, "draft": 1}
        assert {p.body for p in rows} <= set(protocols.BODIES) and len({p.body for p in rows}) >= 3
        signed = [p for p in rows if p.status == "signed"]
        for key in {(p.body, p.reg_year) for p in signed}:
            group = [p for p in signed if (p.body, p.reg_year) == key]
            assert [p.number for p in group] == list(range(1, len(group) + 1)), key  # in date order
            assert {p.date.year for p in group} == {key[1]}
        assert all(p.number is None and p.reg_year is None for p in rows if p.status == "draft")
        assert max(p.date for p in signed) <= min(p.date for p in rows if p.status == "draft")
        moc_ids = set(s.scalars(select(Person.id).where(Person.school_id.is_(None))))
        for p in rows:
            d = protocols.protocol_data(p)
            assert protocols.validate_protocol(d) == {}
            assert 8 <= len(d["attendees"]) <= 20 and d["members_total"] >= len(d["attendees"])
            assert d["chair"]["person_id"] in moc_ids and d["secretary"]["person_id"] in moc_ids
            assert {d["chair"]["person_id"], d["secretary"]["person_id"]} <= {
                a["person_id"] for a in d["attendees"]
            }
            assert 2 <= len(d["agenda"]) <= 4
            for a in d["agenda"]:
                assert a["listened"] and a["decided"] and protocols.decision_passed(a["votes"])
                assert sum(a["votes"].values()) == len(d["attendees"])


# --- competence diagnostics -------------------------------------------------------------------------------------


def _campaigns(s):
    return list(s.scalars(select(DiagCampaign).order_by(DiagCampaign.date_from)))


def test_diagnostic_campaigns_cover_the_stages_and_every_teacher(demo_s):
    factory, summary = demo_s
    with factory() as s:
        camps = _campaigns(s)
        # 15.03.2026: the current year's entry and interim stages, and — no final yet — the previous year's three
        assert [(c.school_year, c.stage) for c in camps] == [
            ("2024/2025", "entry"),
            ("2024/2025", "interim"),
            ("2024/2025", "final"),
            ("2025/2026", "entry"),
            ("2025/2026", "interim"),
        ]
        assert summary["diag_campaign"] == 5
        schools = sorted(s.scalars(select(School.id)))
        teachers = set(s.scalars(select(Person.id).where(SCHOOL_STAFF, Person.subjects != "")))
        for c in camps:
            assert c.title == demo.DIAG_STAGES[c.stage][0]
            assert c.date_from <= c.date_to and c.date_from <= TODAY
            assert cards.campaign_school_ids(c) == schools
            if c.order_id is None:
                assert c.basis.startswith("План работы МКУ «Центр развития образования")
            else:
                o = s.get(OrderDoc, c.order_id)
                assert o.status == "signed" and o.date <= c.date_from
                assert o.title.startswith((demo.DIAG_ORDER_TITLE, "Об утверждении плана работы"))
            rows = list(
                s.execute(select(DiagCard.person_id, DiagCard.school_id).where(DiagCard.campaign_id == c.id))
            )
            assert {p for p, _ in rows} <= teachers and {sid for _, sid in rows} <= set(schools)
            assert len(rows) == len({p for p, _ in rows})
        # the current year: every teacher has a card; a year ago the newcomers of this year had none
        latest = {
            p for (p,) in s.execute(select(DiagCard.person_id).where(DiagCard.campaign_id == camps[-1].id))
        }
        first = {
            p for (p,) in s.execute(select(DiagCard.person_id).where(DiagCard.campaign_id == camps[0].id))
        }
        assert latest == teachers and first < teachers


def test_card_percentages_are_those_of_the_scoring_rules(demo_s):
    factory, _ = demo_s
    with factory() as s:
        tpl = cards.template(s)
        n = 0
        for card in s.scalars(select(DiagCard)):
            sc = cards.card_scores(card, tpl)
            r = scoring.score_card(sc, tpl.pairs)
            assert card.pct == pytest.approx(r.combined["total"].percent)
            for k in range(1, 6):
                assert getattr(card, f"pct{k}") == pytest.approx(r.combined[k].percent)
            assert card.pct_self == pytest.approx(r.raters["self"]["total"].percent)
            ext = [r.raters[x]["total"].percent for x in scoring.EXTERNAL if r.raters[x]["total"].maximum]
            assert card.pct_external == (pytest.approx(sum(ext) / len(ext)) if ext else None)
            assert card.raters == scoring.raters_present(sc)
            assert card.complete == scoring.is_complete(sc, tpl.codes)
            n += 1
        assert n > 1000


def test_diagnostic_levels_are_distributed_and_believable(demo_s):
    factory, _ = demo_s
    with factory() as s:
        camps = _campaigns(s)
        for c in camps:
            sm = analytics.summary(s, c.id)
            # every level is there, none takes almost all
            for lv in scoring.LEVELS:
                assert 0.1 * sm.cards <= sm.total.levels[lv] <= 0.7 * sm.cards, (c.stage, sm.total.levels)
            # self-assessment above the external raters, a few teachers far above
            assert sm.self_mean > sm.external_mean + 2
            assert 0 < sm.gap_signals < 0.2 * sm.cards
            assert 55 < sm.total.mean < 90
        # ШНОР schools lower than the others, young specialists lower in methodology (competence 1)
        c = camps[-1]
        shnor = analytics.group_school_ids(s, "shnor", c.school_year)
        low = analytics.summary(s, c.id, shnor).total.mean
        rest = analytics.summary(
            s, c.id, [x for x in cards.campaign_school_ids(c) if x not in shnor]
        ).total.mean
        assert low < rest - 3
        young = select(Person.id).where(Person.experience_years < 3)
        pct1 = DiagCard.pct1
        q = select(func.avg(pct1)).where(DiagCard.campaign_id == c.id)
        assert s.scalar(q.where(DiagCard.person_id.in_(young))) < s.scalar(
            q.where(DiagCard.person_id.not_in(young))
        )


def test_teachers_improve_from_entry_to_final(demo_s):
    factory, _ = demo_s
    with factory() as s:
        camps = {(c.school_year, c.stage): c.id for c in _campaigns(s)}
        for before, after in (
            (("2024/2025", "entry"), ("2024/2025", "final")),
            (("2024/2025", "entry"), ("2025/2026", "interim")),
            (("2025/2026", "entry"), ("2025/2026", "interim")),
        ):
            d = analytics.dynamics(s, camps[before], camps[after])
            assert d.pairs > 200
            assert d.after.total.mean > d.before.total.mean
            assert d.improved > 3 * d.worsened


def test_blanks_are_left_out_not_counted_as_zero(demo_s):
    factory, _ = demo_s
    with factory() as s:
        tpl = cards.template(s)
        all_cards = list(s.scalars(select(DiagCard)))
        blank = sum(c.scores.count(scoring.BLANK) for c in all_cards)
        assert 0.01 < blank / (48 * len(all_cards)) < 0.07
        no_shmo = [c for c in all_cards if c.raters == "SD"]
        assert no_shmo  # the ШМО column blank: small schools, the only ШМО head of a school
        assert sum(not c.complete for c in all_cards) < 0.4 * len(all_cards)
        card = no_shmo[0]
        sc = cards.card_scores(card, tpl)
        r = scoring.score_card(sc, tpl.pairs)
        assert r.raters["shmo"]["total"].maximum == 0 and r.raters["shmo"]["total"].percent is None
        both = [r.raters[x]["total"].percent for x in ("self", "deputy")]
        assert card.pct == pytest.approx(sum(both) / 2)
        # a blank as a zero would lower the result; the stored percent keeps the maximum shrunk instead
        as_zero = {
            x: {code: (v if v is not None else 0) for code, v in sc[x].items()} for x in scoring.RATERS
        }
        assert scoring.score_card(as_zero, tpl.pairs).combined["total"].percent < card.pct - 10
        partial = next(c for c in all_cards if c.raters == "SHD" and not c.complete)
        sc = cards.card_scores(partial, tpl)
        r = scoring.score_card(sc, tpl.pairs)
        for x in scoring.RATERS:
            filled = sum(v is not None for v in sc[x].values())
            assert r.raters[x]["total"].maximum == 2 * filled
        assert min(r.raters[x]["total"].maximum for x in scoring.RATERS) < 32


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 9, 1), ["2024/2025 entry", "2024/2025 interim", "2024/2025 final"]),
        (date(2025, 11, 20), ["2024/2025 entry", "2024/2025 interim", "2024/2025 final", "2025/2026 entry"]),
        (date(2026, 5, 20), ["2025/2026 entry", "2025/2026 interim", "2025/2026 final"]),
    ],
)
def test_diagnostic_plan_keeps_an_entry_and_a_final_stage(today, expected):
    from moc_desktop.services.common import current_school_year, previous_school_years

    ctx = demo.DemoContext(
        session=None,
        scale_code="S",
        scale=dict(demo.SCALES["S"]),
        seed=1,
        today=today,
        school_years=previous_school_years(current_school_year(today), 3),
        calendar_years=[],
    )
    plan = demo._diag_plan(ctx)
    assert [f"{sy} {stage}" for sy, stage, _, _ in plan] == expected
    for _, _stage, d1, d2 in plan:
        assert d1 <= today and d1 < d2 and d1.weekday() < 5 and d2.weekday() < 5


# --- change log, settings --------------------------------------------------------------------------------------


def test_change_log_has_one_insert_per_created_record(demo_s):
    factory, summary = demo_s
    with factory() as s:
        log = list(s.execute(select(ChangeLog.table_name, ChangeLog.record_uuid, ChangeLog.op)))
        assert {op for _, _, op in log} == {"insert"}  # documents are written once, already numbered
        assert summary["change_log"] == len(log)
        for model in MODELS:
            uuids = list(s.scalars(select(model.uuid)))
            logged = [u for t, u, _ in log if t == model.__tablename__]
            assert sorted(logged) == sorted(uuids), model.__tablename__
        assert s.get(Setting, "municipality").value == demo.DISTRICT
        assert s.get(Setting, "demo_data") is not None


# --- determinism -----------------------------------------------------------------------------------------------


def _fresh_factory(tmp_path, name):
    engine, factory = open_database(f"sqlite:///{tmp_path / name}", tmp_path / "backups")
    return engine, factory


def test_same_seed_gives_the_same_data(tmp_path):
    e1, f1 = _fresh_factory(tmp_path, "a.sqlite3")
    e2, f2 = _fresh_factory(tmp_path, "b.sqlite3")
    e3, f3 = _fresh_factory(tmp_path, "c.sqlite3")
    try:
        demo.generate_demo(f1, "S", seed=7, today=TODAY)
        demo.generate_demo(f2, "S", seed=7, today=TODAY)
        demo.generate_demo(f3, "S", seed=8, today=TODAY)
        assert _fios(f1) == _fios(f2)
        assert _fios(f1, 20) != _fios(f3, 20)

        def values(f):
            with f() as s:
                return list(s.execute(select(SchoolIor.year, SchoolIor.value).order_by(SchoolIor.id)))

        def documents(f):
            with f() as s:
                q = select(OrderDoc.date, OrderDoc.number, OrderDoc.title, OrderDoc.items).order_by(
                    OrderDoc.id
                )
                p = select(Protocol.date, Protocol.body, Protocol.number, Protocol.agenda).order_by(
                    Protocol.id
                )
                return list(s.execute(q)), list(s.execute(p))

        def diagnostics(f):
            with f() as s:
                c = select(DiagCampaign.title, DiagCampaign.school_year, DiagCampaign.date_from).order_by(
                    DiagCampaign.id
                )
                q = select(DiagCard.person_id, DiagCard.school_id, DiagCard.scores, DiagCard.pct).order_by(
                    DiagCard.id
                )
                return list(s.execute(c)), list(s.execute(q))

        def psych_journal(f):
            from moc_desktop.db.models import PsychSession

            with f() as s:
                q = select(
                    PsychSession.held_on,
                    PsychSession.client_code,
                    PsychSession.kind,
                    PsychSession.client_class,
                ).order_by(PsychSession.id)
                return list(s.execute(q))

        assert values(f1) == values(f2)
        assert psych_journal(f1) == psych_journal(f2) and psych_journal(f1) != psych_journal(f3)
        assert documents(f1) == documents(f2)
        assert diagnostics(f1) == diagnostics(f2)
        assert diagnostics(f1)[1] != diagnostics(f3)[1]
    finally:
        for e in (e1, e2, e3):
            e.dispose()


def test_an_added_step_does_not_change_earlier_steps(factory, tmp_path, monkeypatch):
    plain = [st for st in demo.STEPS if st.title != "Диагностика компетенций"]  # the slowest, not needed here
    monkeypatch.setattr(demo, "STEPS", list(plain))
    seen = {}

    @demo.register_step("Проверочный шаг", weight=0.1)
    def _extra(ctx):
        seen["schools"] = len(ctx.schools)
        seen["persons"] = len(ctx.persons)
        seen["year"] = ctx.year
        seen["moc"] = sum(len(v) for v in ctx.moc_staff.values())

    summary = demo.generate_demo(factory, "S", today=TODAY)
    moc = seen.pop("moc")
    assert seen == {"schools": 12, "persons": 300, "year": YEARS[-1]}
    assert summary.persons == 300 + moc
    monkeypatch.setattr(demo, "STEPS", list(plain))
    engine, other = _fresh_factory(tmp_path, "plain.sqlite3")
    try:
        demo.generate_demo(other, "S", today=TODAY)
        assert _fios(other) == _fios(factory)
    finally:
        engine.dispose()


# --- refusal, cancel, progress ---------------------------------------------------------------------------------


def test_refuses_a_base_with_live_schools(factory, no_diagnostics):
    with session_scope(factory) as s:
        s.add(School(short_name="МАОУ «Приозёрский лицей»"))
    with pytest.raises(demo.DemoRefused, match=r"В базе уже есть школы \(1\)\. Демонстрационные данные"):
        demo.generate_demo(factory, "S", today=TODAY)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(School)) == 1
        assert s.scalar(select(func.count()).select_from(Person)) == 0
    # with force the demo is added and the duplicate rule still holds
    demo.generate_demo(factory, "S", today=TODAY, force=True)
    with factory() as s:
        shorts = [fold(n) for n in s.scalars(select(School.short_name))]
        assert len(shorts) == 13 and len(set(shorts)) == 13


def test_soft_deleted_schools_do_not_block(factory, no_diagnostics):
    with session_scope(factory) as s:
        s.add(School(short_name="МКОУ «Старая ООШ»", deleted_at=utcnow()))
    assert demo.generate_demo(factory, "S", today=TODAY).schools == 12


@pytest.mark.parametrize("after_calls", [0, 3, 20])
def test_cancel_leaves_the_base_empty(factory, after_calls):
    calls = {"n": 0}

    def cancel():
        calls["n"] += 1
        return calls["n"] > after_calls

    with factory() as s:
        log_before = s.scalar(select(func.count()).select_from(ChangeLog))
    with pytest.raises(demo.DemoCancelled):
        demo.generate_demo(factory, "S", today=TODAY, cancel=cancel)
    with factory() as s:
        for model in SYNCED_MODELS:
            assert s.scalar(select(func.count()).select_from(model)) == 0, model.__tablename__
        assert s.scalar(select(func.count()).select_from(ChangeLog)) == log_before
        assert s.get(Setting, "demo_data") is None


def test_progress_is_monotonic_and_russian(factory):
    seen: list[tuple[float, str]] = []
    demo.generate_demo(factory, "S", today=TODAY, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)
    assert 0 <= fractions[0] and fractions[-1] == 1.0
    assert all(re.search("[А-Яа-я]", m) for _, m in seen)
    assert any(m.startswith("Педагогические работники") for _, m in seen)


def test_unknown_scale(factory):
    with pytest.raises(ValueError, match="Неизвестный размер"):
        demo.generate_demo(factory, "XL")


# --- mentoring -----------------------------------------------------------------------------------------------


def test_mentoring_partnerships_have_agreements_roadmaps_and_events(demo_s):
    from moc_desktop.db.models import PartnershipEvent, SchoolPartnership
    from moc_desktop.services.mentoring import partnerships

    factory, summary = demo_s
    with factory() as s:
        ps = list(s.scalars(select(SchoolPartnership)))
        assert 3 <= len(ps) == summary["school_partnership"]
        lows = {
            st.school_id
            for st in s.scalars(select(SchoolStatus).where(SchoolStatus.school_year == YEARS[-1]))
            if st.status_code in ("shnor", "shnsu")
        }
        assert lows <= {p.mentee_school_id for p in ps}
        for p in ps:
            assert p.mentor_school_id != p.mentee_school_id
            assert p.agreement_kind == "Соглашение о сетевом взаимодействии" and p.agreement_number
            assert p.agreement_date is not None
            assert 3 <= len(load(p.roadmap, [])) <= 6
            events = partnerships.list_events(s, p.id)
            assert 2 <= len(events) <= 8
            assert all(e.format in partnerships.EVENT_FORMATS and e.date <= TODAY for e in events)
            assert not partnerships.validate_partnership(s, partnerships.partnership_data(p), p)
        assert s.scalar(select(func.count()).select_from(PartnershipEvent)) == summary["partnership_event"]


def test_mentoring_pairs_statuses_plans_and_meetings(demo_s):
    from moc_desktop.db.models import MentorMeeting, MentorPair
    from moc_desktop.services.mentoring import pairs

    factory, summary = demo_s
    with factory() as s:
        all_pairs = list(s.scalars(select(MentorPair)))
        assert 40 <= len(all_pairs) <= 60 and len(all_pairs) == summary["mentor_pair"]
        assert {p.status for p in all_pairs} == set(pairs.STATUSES)
        assert {p.form_code for p in all_pairs} == {"teacher_young", "teacher_teacher"}
        for p in all_pairs:
            assert not pairs.validate_pair(s, pairs.pair_data(p))
            if p.status == "completed":
                assert p.evaluation
            if p.status == "terminated":
                assert p.status_reason
        plans = [load(p.plan, []) for p in all_pairs]
        assert all(plans)
        assert any(t["criterion"] for plan in plans for t in plan)  # tasks from diagnostic deficits
        # a criterion is a code of the card template
        codes = set(cards.template(s).codes)
        assert {t["criterion"] for plan in plans for t in plan if t["criterion"]} <= codes
        statuses = Counter(pairs.task_status(t, TODAY) for plan in plans for t in plan)
        assert statuses["done"] and statuses["overdue"]
        assert pairs.overdue_tasks(s, TODAY)
        meetings = Counter(m.pair_id for m in s.scalars(select(MentorMeeting)))
        assert sum(meetings.values()) == summary["mentor_meeting"]
        assert max(meetings.values()) <= 10
        assert not any(meetings.get(p.id) for p in all_pairs if p.status == "draft")
        assert pairs.silent_pairs(s, TODAY)


def test_every_young_specialist_has_a_mentor_within_the_limit(demo_s):
    from moc_desktop.db.models import MentorPair
    from moc_desktop.services.mentoring import pairs

    factory, _ = demo_s
    with factory() as s:
        young = {
            p.id
            for p in s.scalars(select(Person).where(SCHOOL_STAFF))
            if is_young_specialist(p.experience_years, p.young_specialist)
        }
        assert young
        mentored = set()
        for p in s.scalars(select(MentorPair).where(MentorPair.status.in_(("active", "completed")))):
            if p.form_code == "teacher_young":
                mentored |= set(pairs.mentee_id_list(p))
        assert young <= mentored
        mentors = {p.mentor_id for p in s.scalars(select(MentorPair))}
        assert all(pairs.mentor_load(s, m) <= pairs.MAX_MENTEES_DEFAULT for m in mentors)
        cov = pairs.young_coverage(s)
        assert cov.total and cov.covered >= 0.8 * cov.total


# --- demo accounts and the psychologist's journal --------------------------------------------------------------


def test_demo_accounts_are_created_with_hashed_passwords(demo_s):
    from moc_desktop.db.models import AppUser

    factory, summary = demo_s
    assert summary["app_user"] == 3
    assert demo.DEMO_PASSWORD == "demo-parol"
    described = summary.describe()
    assert "учётных записей — 3" in described
    assert (
        "Учётные записи (пароль «demo-parol»): rukovoditel — руководитель МОЦ, "
        "metodist — методист, psiholog — педагог-психолог." in described
    )
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", summary.recovery_key or "")
    assert any(summary.recovery_key in n and "один раз" in n for n in summary.notes)
    with factory() as s:
        users = {u.login: u for u in s.scalars(select(AppUser))}
        assert {login: u.role for login, u in users.items()} == {
            "rukovoditel": "head",
            "metodist": "methodist",
            "psiholog": "psychologist",
        }
        for u in users.values():
            assert u.password_hash.startswith("$argon2id$") and demo.DEMO_PASSWORD not in u.password_hash
        psych = s.scalar(
            select(Person).where(SCHOOL_STAFF.is_(False), Person.positions == "педагог-психолог")
        )
        assert users["psiholog"].full_name == f"{psych.last_name} {psych.first_name} {psych.middle_name}"
        director = s.scalar(select(Person).where(Person.school_id.is_(None), Person.positions == "директор"))
        assert users["rukovoditel"].full_name.startswith(director.last_name)


def _journal_rows(s):
    from moc_desktop.db.models import PsychSession

    return list(s.scalars(select(PsychSession).order_by(PsychSession.id)))


def test_methodist_sees_only_aggregates_of_the_journal(demo_s):
    from moc_desktop.services import auth
    from moc_desktop.services.psych import clients, journal, reports

    factory, summary = demo_s
    assert summary["psych_session"] == demo.SCALES["S"]["psych_sessions"] == 600
    with factory() as s:
        methodist = auth.authenticate(s, "metodist", demo.DEMO_PASSWORD)
        assert methodist.journal_key is None
        for call in (
            lambda: journal.list_sessions(s, methodist, journal.JournalFilter()),
            lambda: journal.count_sessions(s, methodist, journal.JournalFilter()),
            lambda: journal.open_session(s, methodist, _journal_rows(s)[0].uuid),
            lambda: clients.list_clients(s, methodist),
        ):
            with pytest.raises(auth.AccessDenied):
                call()
        total = 0
        for year in YEARS:
            sm = reports.summary(s, methodist, *reports.school_year_bounds(year))
            assert sm.sessions > 0 and sm.children_served > 0
            total += sm.sessions
        assert total == 600
        s.rollback()


def test_psychologist_opens_demo_entries_decrypted(demo_s):
    from moc_desktop.services import auth
    from moc_desktop.services.psych import clients, journal

    factory, summary = demo_s
    with factory() as s:
        psych = auth.authenticate(s, "psiholog", demo.DEMO_PASSWORD)
        assert psych.journal_key is not None
        assert journal.count_sessions(s, psych, journal.JournalFilter()) == 600
        newest = journal.list_sessions(s, psych, journal.JournalFilter(), limit=30)
        assert newest[0].held_on <= TODAY
        for row in newest:
            data = journal.open_session(s, psych, row.uuid)
            assert data.request and data.result
            assert journal.validate_session(data, TODAY) == {}, (data, journal.validate_session(data, TODAY))
            assert data.psychologist and data.client_code == row.client_code
        pupil = next(r for r in newest if r.client_category == "pupil" and r.form == "individual")
        history = journal.client_history(s, psych, pupil.client_code)
        assert 1 <= len(history) <= 6 and [h.held_on for h in history] == sorted(h.held_on for h in history)
        cards = clients.list_clients(s, psych)
        assert cards and all(c.code.startswith("О-") and len(c.full_name.split()) == 3 for c in cards)
        card = clients.open_client(s, psych, cards[0].code)
        assert card.birth_date is not None and card.class_name
        s.rollback()


def test_demo_journal_is_believable_and_valid(demo_s):
    from moc_desktop.db.models import PsychClient
    from moc_desktop.services.psych import journal

    factory, _ = demo_s
    with factory() as s:
        rows = _journal_rows(s)
        statuses = {(r.school_id, r.school_year) for r in s.scalars(select(SchoolStatus))
                    if r.status_code in ("shnor", "shnsu")}  # fmt: skip
        n_clients = s.scalar(select(func.count()).select_from(PsychClient))
    assert len(rows) == 600
    for r in rows:
        data = journal.SessionData(
            held_on=r.held_on, kind=r.kind, client_category=r.client_category, start_time=r.start_time,
            duration_min=r.duration_min, client_class=r.client_class, client_code=r.client_code, form=r.form,
            group_size=r.group_size, follow_up_on=r.follow_up_on,
        )  # fmt: skip
        assert journal.validate_session(data, TODAY) == {}, r.uuid
        assert r.request_enc and r.result_enc  # encrypted, never plain
        assert date(2023, 9, 1) <= r.held_on <= TODAY and r.held_on.weekday() < 5
        if r.client_class:
            assert re.fullmatch(r"(1[01]|[1-9])[АБВ]", r.client_class), r.client_class
        if r.client_code:
            assert (
                re.fullmatch(r"[ОРПА]-\d{4}", r.client_code)
                and r.client_code[0]
                == "ОРПА"[["pupil", "parent", "teacher", "admin"].index(r.client_category)]
            )
    cat = Counter(r.client_category for r in rows)
    assert cat == {"pupil": 360, "parent": 120, "teacher": 90, "admin": 30}
    individual = sum(r.form == "individual" for r in rows) / 600
    assert 0.75 <= individual <= 0.9
    kinds = Counter(r.kind for r in rows)
    assert kinds.most_common(1)[0][0] == "consultation" and set(kinds) == set(journal.KINDS)
    at_low = sum((r.school_id, current_school_year_of(r.held_on)) in statuses for r in rows if r.school_id)
    assert at_low / sum(1 for r in rows if r.school_id) > 0.5  # most work at ШНОР/ШНСУ schools
    assert 0 < sum(r.school_id is None for r in rows) < 0.15 * 600  # a few at the МОЦ itself
    uses = Counter(r.client_code for r in rows if r.client_category == "pupil" and r.client_code)
    assert max(uses.values()) <= 6 and sum(n >= 3 for n in uses.values()) >= 10  # histories
    assert 0.2 <= sum(r.follow_up_on is not None for r in rows) / 600 <= 0.4
    assert any(r.follow_up_on is not None and r.follow_up_on < TODAY for r in rows)  # some overdue
    assert 1 <= n_clients <= 0.25 * len(uses)
    by_year = Counter(current_school_year_of(r.held_on) for r in rows)
    assert set(by_year) == set(YEARS)


def current_school_year_of(d: date) -> str:
    from moc_desktop.services.common import school_year_of

    return school_year_of(d)


def test_demo_journal_text_is_encrypted_at_rest(tmp_path):
    engine, f = _fresh_factory(tmp_path, "plain.sqlite3")
    try:
        demo.generate_demo(f, "S", today=TODAY)
    finally:
        engine.dispose()  # checkpoints the WAL into the file
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("plain.sqlite3*"))
    for text in (  # texts of the journal only (seminars on burnout are also events of the МОЦ: plain)
        "Тревожность перед ГИА: страх",
        "Профессиональное выгорание: эмоциональное истощение",
        "Повторная встреча:",
        "мама: +7",
    ):
        assert text.encode() not in raw
    assert "Приозёрск".encode() in raw  # plain data is there: the check reads the right file


def test_demo_skips_the_journal_it_cannot_open(factory, no_diagnostics):
    from moc_desktop.db.models import AppUser, PsychSession
    from moc_desktop.services import auth

    with session_scope(factory) as s:
        auth.create_user(s, "boss", "Главный Админ Админович", "admin", "Boss-parol-1")
        auth.create_user(s, "psy", "Соколова Ирина Павловна", "psychologist", "Real-parol-1")
    summary = demo.generate_demo(factory, "S", today=TODAY)
    assert summary["psych_session"] == 0 and summary.recovery_key is None
    assert any("не созданы" in n and "psiholog" in n for n in summary.notes)
    assert "rukovoditel — руководитель МОЦ" in summary.describe() and "admin —" not in summary.describe()
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(PsychSession)) == 0
        assert {u.login for u in s.scalars(select(AppUser))} == {
            "boss",
            "psy",
            "rukovoditel",
            "metodist",
            "psiholog",
        }
        # the demo psychologist waits for the recovery key like any later psychologist
        psiholog = auth.authenticate(s, "psiholog", demo.DEMO_PASSWORD)
        assert auth.needs_journal_access(s, psiholog)
    # a second demo run (force) keeps the accounts and says so
    again = demo.generate_demo(factory, "S", today=TODAY, force=True)
    assert "уже были в базе" in again.describe() and again["app_user"] == 0
