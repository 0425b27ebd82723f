"""Register of orders (services.docs.orders + numbering) on real migrated SQLite files: validation, registration
with a number per calendar year (no gaps, no duplicates — also across processes), cancellation, controlled tasks,
Russian grammar of «возложить на …», the printable document and the typical orders."""

from __future__ import annotations

import multiprocessing
import queue
import time
from datetime import date

import pytest
from sqlalchemy import select

from moc_desktop.db.engine import open_database, session_scope
from moc_desktop.db.models import DocCounter, OrderDoc, Person
from moc_desktop.services import schools as schools_svc
from moc_desktop.services import settings
from moc_desktop.services.common import ValidationError, current_school_year
from moc_desktop.services.docs import numbering, orders, typical
from moc_desktop.services.docs.model import Item, Para, Signature, Table

UO_HEAD_POST = "Начальник Управления образования и молодежной политики"
D2026 = date(2026, 3, 2)


# --- helpers ---------------------------------------------------------------------------------------------------


def configure(session, suffix: str = "-од") -> None:
    """Every public setting set to its example value (seed 003 order № 448-од), the order suffix to ``suffix``."""
    for key, (_label, example) in settings.SETTINGS.items():
        settings.set_value(session, key, example)
    settings.set_value(session, "order_suffix", suffix)


@pytest.fixture
def cfg(factory):
    with session_scope(factory) as s:
        configure(s)
    return factory


def order_dict(
    session, title: str = "Об организации наставничества", on: date | None = D2026, **extra
) -> dict:
    d = orders.new_order_data(session)
    d.update(title=title, date=on, items=[{"text": "Утвердить состав пар «наставник – наставляемый»"}])
    d.update(extra)
    return d


def make_draft(
    factory, title: str = "Об организации наставничества", on: date | None = D2026, **extra
) -> int:
    with session_scope(factory) as s:
        return orders.save_order(s, order_dict(s, title, on, **extra)).id


def signed(factory, on: date | None = D2026, **extra) -> OrderDoc:
    return orders.sign_order(factory, make_draft(factory, on=on, **extra))


def numbers_of(factory, year: int) -> list[int]:
    with factory() as s:
        return sorted(
            n for n in s.scalars(select(OrderDoc.number).where(OrderDoc.reg_year == year)) if n is not None
        )


def pozharnitskaya(session, **extra) -> Person:
    p = Person(
        gender="f",
        last_name="Пожарницкая",
        first_name="Наталья",
        middle_name="Анатольевна",
        doc_post="заместитель директора по УВР",
        **extra,
    )
    session.add(p)
    session.flush()
    return p


# --- validation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("Об организации наставничества", True),
        ("О проведении диагностики", True),
        ("Обо всём понемногу", True),
        ("об утверждении плана", True),
        ("  О присвоении статусов", True),
        ("", False),
        ("   ", False),
        ("Приказ об организации наставничества", False),
        ("Обучение педагогов", False),  # «Об…» but not the preposition
        ("Организация наставничества", False),
    ],
)
def test_title_must_start_with_preposition(title, ok):
    errors = orders.validate_order({"title": title, "items": [{"text": "Утвердить"}]})
    assert ("title" not in errors) is ok, errors
    if not ok:
        assert "О" in errors["title"] and "Об" in errors["title"]


def test_validation_messages():
    assert orders.validate_order({"title": "Об этом", "items": []}) == {
        "items": "В приказе нет ни одного пункта."
    }
    errors = orders.validate_order(
        {
            "title": "Об этом",
            "items": [
                {"text": "Утвердить"},
                {"text": "  "},
                {"text": "Руководителям:", "children": [{"text": "обеспечить"}, {"text": ""}]},
            ],
            "control": {"mode": "assign"},
            "basis": [{"kind": "приказ"}],
        }
    )
    assert errors == {
        "items[1]": "Пункт 2 пуст.",
        "items[2].children[1]": "Подпункт 3.2 пуст.",
        "control": "Укажите, на кого возложить контроль исполнения.",
        "basis[0]": "Укажите номер или название документа-основания.",
    }
    # an item made of sub-items only is fine; control assigned by name or by person is fine
    assert (
        orders.validate_order(
            {
                "title": "Об этом",
                "items": [{"text": "Утвердить"}, {"text": "", "children": [{"text": "а"}]}],
                "control": {"mode": "assign", "name": "Иванова Мария Петровна"},
                "basis": [{"number": "123"}],
            }
        )
        == {}
    )
    assert (
        orders.validate_order(
            {"title": "Об этом", "items": [{"text": "x"}], "control": {"mode": "assign", "person_id": 5}}
        )
        == {}
    )
    assert (
        orders.validate_order({"title": "Об этом", "items": [{"text": "x"}], "control": {"mode": "self"}})
        == {}
    )


def test_invalid_order_is_not_saved(cfg):
    with session_scope(cfg) as s:
        d = order_dict(s, title="Наставничество", items=[])
        with pytest.raises(ValidationError) as exc:
            orders.save_order(s, d)
        assert set(exc.value.errors) == {"title", "items"}
        assert "«О», «Об» или «Обо»" in exc.value.errors["title"]
    with cfg() as s:
        assert s.scalars(select(OrderDoc)).all() == []


# --- registration -----------------------------------------------------------------------------------------------


def test_sign_gives_numbers_with_suffix_drafts_have_none(cfg):
    first, second, draft = (
        make_draft(cfg),
        make_draft(cfg, title="О втором"),
        make_draft(cfg, title="О третьем"),
    )
    with cfg() as s:
        o = orders.get_order(s, first)
        assert (o.status, o.number, o.reg_year, o.suffix) == ("draft", None, None, "")
        assert orders.number_label(o) == "проект"
        assert orders.build_document(s, o).number_text == "№ ___"

    o1 = orders.sign_order(cfg, first)
    assert (o1.status, o1.number, o1.reg_year, o1.suffix, o1.date) == ("signed", 1, 2026, "-од", D2026)
    assert orders.number_label(o1) == "1-од"
    assert numbering.format_number(o1.number, o1.suffix) == "№ 1-од"
    o2 = orders.sign_order(cfg, second)
    assert (o2.number, orders.number_label(o2)) == (2, "2-од")

    with cfg() as s:
        rows = {r.id: r for r in orders.list_orders(s)}
        assert rows[first].number_text == "1-од" and rows[first].status == "Подписан"
        assert rows[second].number_text == "2-од" and rows[second].status_code == "signed"
        assert rows[draft].number is None and rows[draft].number_text == "проект"
        assert rows[draft].status == "Проект"
        assert [r.id for r in orders.list_orders(s)][0] == draft  # drafts on top
        assert s.get(DocCounter, ("order", 2026)).last == 2
        assert orders.get_order(s, draft).number is None


def test_suffix_is_taken_at_signing(cfg):
    o1 = signed(cfg)
    with session_scope(cfg) as s:
        settings.set_value(s, "order_suffix", "-п")
    o2 = signed(cfg)
    assert (orders.number_label(o1), orders.number_label(o2)) == ("1-од", "2-п")  # the issued one is kept


def test_sign_date_defaults_and_explicit_date(cfg):
    o = orders.sign_order(cfg, make_draft(cfg, on=None), on=date(2024, 6, 5))
    assert (o.reg_year, o.number, o.date) == (2024, 1, date(2024, 6, 5))
    o = orders.sign_order(cfg, make_draft(cfg, on=None))
    assert o.date == date.today() and o.reg_year == date.today().year


def test_sign_only_drafts(cfg):
    o = signed(cfg)
    with pytest.raises(ValidationError) as exc:
        orders.sign_order(cfg, o.id)
    assert exc.value.errors == {"status": "Зарегистрировать можно только проект приказа."}
    with pytest.raises(ValidationError) as exc:
        orders.sign_order(cfg, 9999)
    assert exc.value.errors == {"order": "Приказ не найден."}
    with session_scope(cfg) as s:
        orders.cancel_order(s, s.get(OrderDoc, o.id), "приказ от 10.03.2026 № 12-од")
    with pytest.raises(ValidationError):
        orders.sign_order(cfg, o.id)
    draft = make_draft(cfg)
    with session_scope(cfg) as s:
        orders.delete_draft(s, s.get(OrderDoc, draft))
    with pytest.raises(ValidationError) as exc:
        orders.sign_order(cfg, draft)
    assert "order" in exc.value.errors
    # the failed attempts took no number
    assert orders.sign_order(cfg, make_draft(cfg)).number == 2
    assert numbers_of(cfg, 2026) == [1, 2]


def test_cancel_keeps_number_and_next_continues(cfg):
    o1, o2 = signed(cfg), signed(cfg, title="О втором")
    with session_scope(cfg) as s:
        o = s.get(OrderDoc, o2.id)
        with pytest.raises(ValidationError) as exc:
            orders.cancel_order(s, o, "   ")
        assert "cancel_note" in exc.value.errors
        orders.cancel_order(s, o, "  приказ от 10.03.2026 № 12-од ")
    with session_scope(cfg) as s:
        o = orders.get_order(s, o2.id)
        assert (o.status, o.number, o.cancel_note) == ("cancelled", 2, "приказ от 10.03.2026 № 12-од")
        with pytest.raises(ValidationError) as exc:
            orders.cancel_order(s, o, "ещё раз")
        assert exc.value.errors == {"status": "Отменить можно только подписанный приказ."}
        with pytest.raises(ValidationError) as exc:
            orders.save_order(s, orders.order_data(o), o)
        assert exc.value.errors == {"status": "Отменённый приказ не изменяется."}
        doc = orders.build_document(s, o)
        assert doc.number_text == "№ 2-од"
        assert isinstance(doc.body[0], Para) and doc.body[0].text() == "ОТМЕНЁН: приказ от 10.03.2026 № 12-од"
    o3 = signed(cfg, title="О третьем")
    assert o3.number == 3
    with cfg() as s:
        rows = orders.list_orders(s, 2026)
        assert [(r.number, r.status_code) for r in rows] == [(3, "signed"), (2, "cancelled"), (1, "signed")]
        assert rows[1].status == "Отменён"
    with session_scope(cfg) as s:  # a draft cannot be cancelled
        with pytest.raises(ValidationError):
            orders.cancel_order(s, s.get(OrderDoc, make_draft(cfg)), "основание")
    assert o1.number == 1


def test_delete_only_drafts(cfg):
    draft, o = make_draft(cfg), signed(cfg)
    with session_scope(cfg) as s:
        with pytest.raises(ValidationError) as exc:
            orders.delete_draft(s, s.get(OrderDoc, o.id))
        assert "отменяют" in exc.value.errors["status"]
        orders.delete_draft(s, s.get(OrderDoc, draft))
    with cfg() as s:
        assert orders.get_order(s, draft) is None
        assert [r.id for r in orders.list_orders(s)] == [o.id]
        assert s.get(OrderDoc, draft).deleted_at is not None  # soft delete (synchronised)
        assert orders.get_order(s, o.id).status == "signed"


def test_signed_order_changes_only_in_marks(cfg):
    o = signed(cfg, items=[{"text": "Провести семинар", "deadline": "2026-04-01"}, {"text": "Отчитаться"}])
    with session_scope(cfg) as s:
        obj = s.get(OrderDoc, o.id)
        d = orders.order_data(obj)
        d["title"] = "О другом"
        d["items"][0]["text"] = "Переписано"
        d["items"][0]["done_on"] = "2026-03-20"
        d["acquaintance"] = [{"name": "Иванова М.П.", "post": "методист", "signed_on": "2026-03-05"}]
        orders.save_order(s, d, obj)
    with cfg() as s:
        d = orders.order_data(orders.get_order(s, o.id))
        assert d["title"] == "Об организации наставничества"
        assert d["items"][0]["text"] == "Провести семинар"
        assert d["items"][0]["done_on"] == "2026-03-20"
        assert d["acquaintance"][0]["name"] == "Иванова М.П."
        assert orders.get_order(s, o.id).number == 1


# --- numbering: year boundary, imports, concurrency ----------------------------------------------------------------


def test_numbering_across_year_boundary(cfg):
    a = signed(cfg, on=date(2025, 12, 30))
    b = signed(cfg, on=date(2025, 12, 31))
    c = signed(cfg, on=date(2026, 1, 1))
    d = signed(cfg, on=date(2026, 1, 15))
    late = signed(cfg, on=date(2025, 12, 31))  # a late registration of an order dated in the old year
    e = signed(cfg, on=date(2026, 2, 1))
    assert [(x.reg_year, x.number) for x in (a, b, c, d, late, e)] == [
        (2025, 1),
        (2025, 2),
        (2026, 1),
        (2026, 2),
        (2025, 3),
        (2026, 3),
    ]
    assert numbers_of(cfg, 2025) == [1, 2, 3]
    assert numbers_of(cfg, 2026) == [1, 2, 3]
    draft = make_draft(cfg, on=date(2026, 3, 1))
    with cfg() as s:
        # drafts (no register year yet) are listed with every year, on top
        for year in (2025, 2026):
            rows = orders.list_orders(s, year)
            assert [r.number for r in rows] == [None, 3, 2, 1]
            assert rows[0].id == draft and {r.reg_year for r in rows[1:]} == {year}
        assert len(orders.list_orders(s, 2024)) == 1
        assert s.get(DocCounter, ("order", 2025)).last == 3
        assert s.get(DocCounter, ("order", 2026)).last == 3


def test_counter_keeps_ahead_of_imported_orders(cfg):
    with session_scope(cfg) as s:  # an order that arrived otherwise (import, sync): no counter row yet
        s.add(
            OrderDoc(
                reg_year=2026,
                number=7,
                suffix="-од",
                date=date(2026, 2, 1),
                title="Об импорте",
                status="signed",
            )
        )
    assert signed(cfg).number == 8
    assert signed(cfg).number == 9
    with session_scope(cfg) as s:  # another one arrives above the counter
        s.add(
            OrderDoc(
                reg_year=2026, number=20, suffix="-од", date=date(2026, 2, 2), title="О", status="signed"
            )
        )
    assert signed(cfg).number == 21
    with cfg() as s:
        assert s.get(DocCounter, ("order", 2026)).last == 21
    assert signed(cfg, on=date(2025, 5, 5)).number == 1  # other years are not affected


def test_allocate_and_next_number_rules(factory):
    assert numbering.next_number([]) == 1
    assert numbering.next_number([None, 3, 1]) == 4
    assert numbering.format_number(None, "-од") == "№ ___"
    assert numbering.format_number(448, "-од") == "№ 448-од"
    with session_scope(factory) as s:
        assert [numbering.allocate(s, "x", 2026) for _ in range(3)] == [1, 2, 3]
        assert numbering.allocate(s, "x", 2027) == 1
        assert numbering.allocate(s, "y", 2026) == 1
    with session_scope(factory) as s:  # a rolled-back registration returns its number
        assert numbering.allocate(s, "x", 2026) == 4
        s.rollback()
    with session_scope(factory) as s:
        assert numbering.allocate(s, "x", 2026) == 4


N_PROCESSES, PER_PROCESS = 3, 15
N_SAME = 50  # drafts every process tries to register in the double-registration case


def _sign_worker(url: str, ids: list[int], barrier, results) -> None:
    """Runs in a spawned process: open the same SQLite file and register ``ids`` as fast as possible.
    Reports ("ok", [(id, number)…], refusals) or ("error", repr)."""
    try:
        engine, factory = open_database(url, None)
        try:
            barrier.wait(timeout=60)
            out, refused = [], 0
            for i in ids:
                try:
                    out.append((i, orders.sign_order(factory, i).number))
                except ValidationError:
                    refused += 1
        finally:
            engine.dispose()
        results.put(("ok", out, refused))
    except BaseException as exc:  # reported to the parent, which fails the test with it
        results.put(("error", repr(exc), 0))


def run_signers(db_url: str, id_lists: list[list[int]]) -> tuple[list[tuple[int, int]], int]:
    """Start one spawned process per list, all registering at once; → (issued (id, number) pairs, refusals)."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(id_lists)), ctx.Queue()
    procs = [
        ctx.Process(target=_sign_worker, args=(db_url, ids, barrier, results), daemon=True)
        for ids in id_lists
    ]
    for p in procs:
        p.start()
    try:
        reports = [results.get(timeout=120) for _ in procs]
    except queue.Empty:
        pytest.fail("a registering process did not report in time")
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
    errors = [r for status, r, _n in reports if status != "ok"]
    assert not errors, errors
    return [pair for _st, r, _n in reports for pair in r], sum(n for *_x, n in reports)


def test_concurrent_registration_has_no_gaps_or_duplicates(db_url, cfg):
    total = N_PROCESSES * PER_PROCESS
    ids = [make_draft(cfg, title=f"О мероприятии {k}", on=date(2026, 4, 1)) for k in range(total)]
    started = time.perf_counter()
    issued, refused = run_signers(db_url, [ids[k::N_PROCESSES] for k in range(N_PROCESSES)])
    elapsed = time.perf_counter() - started
    assert refused == 0
    assert sorted(i for i, _n in issued) == sorted(ids)
    assert sorted(n for _i, n in issued) == list(range(1, total + 1)), f"{issued} ({elapsed:.1f} s)"
    with cfg() as s:
        rows = s.execute(select(OrderDoc.id, OrderDoc.number, OrderDoc.reg_year, OrderDoc.status)).all()
        assert {(i, n) for i, n, _y, _st in rows} == set(issued)
        assert {y for *_x, y, _st in rows} == {2026} and {st for *_x, st in rows} == {"signed"}
        assert s.get(DocCounter, ("order", 2026)).last == total
    assert signed(cfg, on=date(2026, 5, 1)).number == total + 1


def test_same_draft_registered_at_once_gets_one_number(db_url, cfg):
    ids = [make_draft(cfg, title=f"О мероприятии {k}", on=date(2026, 4, 1)) for k in range(N_SAME)]
    issued, refused = run_signers(db_url, [ids] * N_PROCESSES)  # every process tries every draft
    with cfg() as s:
        numbers = sorted(s.scalars(select(OrderDoc.number)))
        counter = s.get(DocCounter, ("order", 2026)).last
    assert (len(issued), refused) == (N_SAME, N_SAME * (N_PROCESSES - 1))
    assert numbers == list(range(1, N_SAME + 1)) and counter == N_SAME


# --- controlled tasks ----------------------------------------------------------------------------------------------


def test_controlled_tasks(cfg):
    with session_scope(cfg) as s:
        pid = pozharnitskaya(s).id
    ivanova = {"name": "Иванова Мария Петровна", "post": "методист"}
    o = signed(
        cfg,
        items=[
            {"text": "Провести семинар", "deadline": "2026-03-01", "responsible": {"person_id": pid}},
            {"text": "Подготовить справку", "deadline": "2026-04-01", "responsible": ivanova},
            {
                "text": "Сдать отчёт",
                "deadline": "2026-02-01",
                "responsible": ivanova,
                "done_on": "2026-01-30",
            },
            {"text": "Без ответственного", "deadline": "2026-02-01"},
            {"text": "Без срока", "responsible": ivanova},
            {
                "text": "Руководителям:",
                "children": [
                    {"text": "обеспечить участие", "deadline": "2026-03-10", "responsible": ivanova},
                    {"text": "сообщить", "deadline": "2026-03-09", "responsible": ivanova},
                ],
            },
        ],
    )
    make_draft(cfg, items=[{"text": "Черновик", "deadline": "2026-01-01", "responsible": ivanova}])
    cancelled = signed(cfg, items=[{"text": "Отменено", "deadline": "2026-01-01", "responsible": ivanova}])
    with session_scope(cfg) as s:
        orders.cancel_order(s, s.get(OrderDoc, cancelled.id), "ошибка")

    today = date(2026, 3, 10)
    with cfg() as s:
        tasks = orders.controlled_tasks(s, today)
        got = [(t.item_number, t.text, t.overdue) for t in tasks]
        assert got == [
            ("1", "Провести семинар", True),  # overdue first, by deadline
            ("6.2", "сообщить", True),
            ("6.1", "обеспечить участие", False),  # the deadline is today: not overdue yet
            ("2", "Подготовить справку", False),
        ]
        t = tasks[0]
        assert (t.order_id, t.order_label) == (o.id, "от 02.03.2026 № 1-од")
        assert t.responsible == "Пожарницкая Наталья Анатольевна"
        assert (t.deadline, t.done_on) == (date(2026, 3, 1), None)
        assert tasks[-1].responsible == "Иванова Мария Петровна"

        with_done = orders.controlled_tasks(s, today, include_done=True)
        done = [t for t in with_done if t.item_number == "3"]
        assert len(with_done) == 5 and done[0].done_on == date(2026, 1, 30) and not done[0].overdue

    with session_scope(cfg) as s:  # marking an item done hides it
        obj = s.get(OrderDoc, o.id)
        d = orders.order_data(obj)
        d["items"][0]["done_on"] = "2026-03-05"
        orders.save_order(s, d, obj)
    with cfg() as s:
        assert [t.item_number for t in orders.controlled_tasks(s, today)] == ["6.2", "6.1", "2"]


def test_is_overdue():
    today = date(2026, 3, 10)
    assert orders.is_overdue(date(2026, 3, 9), None, today)
    assert not orders.is_overdue(date(2026, 3, 10), None, today)
    assert not orders.is_overdue(date(2026, 3, 9), date(2026, 3, 11), today)
    assert not orders.is_overdue(None, None, today)


# --- grammar of «контроль» and «ответственный» ------------------------------------------------------------------


def test_control_sentence(cfg):
    with session_scope(cfg) as s:
        p = pozharnitskaya(s)
        assert (
            orders.control_sentence(s, {"mode": "self"}) == "Контроль исполнения приказа оставляю за собой."
        )
        assert orders.control_sentence(s, {}) == orders.CONTROL_SELF
        assert (
            orders.control_sentence(s, {"mode": "assign", "person_id": p.id})
            == "Контроль исполнения приказа возложить на заместителя директора по УВР Пожарницкую Н.А."
        )
        # a person typed by hand (no record): post declined, name in the short form as typed
        assert (
            orders.control_sentence(
                s, {"mode": "assign", "name": "Иванова Мария Петровна", "post": "главный специалист"}
            )
            == "Контроль исполнения приказа возложить на главного специалиста Иванова М.П."
        )
        # the post given in the reference wins over the person's post for documents
        assert orders.responsible_text(s, {"person_id": p.id, "post": "методист МОЦ"}, "dat") == (
            "методисту МОЦ Пожарницкой Н.А."
        )
        assert (
            orders.responsible_text(s, {"person_id": p.id}) == "заместитель директора по УВР Пожарницкая Н.А."
        )
        assert orders.responsible_text(s, None) == ""


def test_unknown_gender_keeps_surname(cfg):
    with session_scope(cfg) as s:
        p = Person(last_name="Ким", first_name="Ирина", middle_name="Ли", doc_post="методист")
        s.add(p)
        s.flush()
        assert orders.control_sentence(s, {"mode": "assign", "person_id": p.id}) == (
            "Контроль исполнения приказа возложить на методиста Ким И.Л."
        )


def test_post_override_wins(cfg):
    with session_scope(cfg) as s:
        p = pozharnitskaya(s, post_acc="заместителя директора по учебно-воспитательной работе")
        assert orders.control_sentence(s, {"mode": "assign", "person_id": p.id}) == (
            "Контроль исполнения приказа возложить на заместителя директора по учебно-воспитательной работе "
            "Пожарницкую Н.А."
        )


def test_name_override_wins(cfg):
    with session_scope(cfg) as s:
        p = pozharnitskaya(s, name_acc="Пожарницкой Наталью Анатольевну")  # the user's (deliberate) form
        assert orders.control_sentence(s, {"mode": "assign", "person_id": p.id}) == (
            "Контроль исполнения приказа возложить на заместителя директора по УВР Пожарницкой Н.А."
        )


# --- the printable document -------------------------------------------------------------------------------------


def test_build_document(cfg):
    with session_scope(cfg) as s:
        pid = pozharnitskaya(s).id
    o = signed(
        cfg,
        basis=[
            {
                "kind": "приказом",
                "issuer": "Департамента образования",
                "date": "2020-05-05",
                "number": "123",
                "title": "О наставничестве",
            }
        ],
        preamble="В соответствии с {основания}, в целях развития наставничества,",
        items=[
            {"text": "Утвердить состав пар", "appendix": 0},
            {
                "text": "Руководителям общеобразовательных организаций:",
                "children": [
                    {
                        "text": "обеспечить участие.",
                        "deadline": "2026-03-15",
                        "responsible": {"person_id": pid},
                    },
                    {"text": "представить отчёт"},
                ],
            },
        ],
        control={"mode": "assign", "person_id": pid},
        executor={"name": "Иванова Мария Петровна", "post": "методист", "phone": "20-376", "email": "a@b.ru"},
        appendices=[
            {
                "title": "Состав пар",
                "headers": ["№ п/п", "Наставник", "Наставляемый"],
                "rows": [[1, "Иванова М.П.", "Петров И.С."], [2, "Сидорова А.А.", "Козлов Е.В."]],
                "widths": [1, 6, 6],
            }
        ],
        acquaintance=[
            {"name": "Иванова М.П.", "post": "методист", "signed_on": "2026-03-03"},
            {"name": "Петров И.С.", "post": "учитель"},
        ],
        qr=True,
    )
    with cfg() as s:
        doc = orders.build_document(s, orders.get_order(s, o.id))
    assert doc.kind == "П Р И К А З"
    assert doc.org_lines == [
        "Администрация Октябрьского района",
        "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ И МОЛОДЕЖНОЙ ПОЛИТИКИ",
    ]
    assert (doc.date_text, doc.number_text, doc.place) == (
        "« 2 » марта 2026 г.",
        "№ 1-од",
        "п.г.т. Октябрьское",
    )
    assert doc.title == "Об организации наставничества"
    assert doc.file_stem.startswith("Приказ 1-од Об организации")

    paras = [b.text() for b in doc.body if isinstance(b, Para)]
    assert paras[0] == (
        "В соответствии с приказом Департамента образования от 05.05.2020 № 123 «О наставничестве», "
        "в целях развития наставничества,"
    )
    assert paras[1] == "ПРИКАЗЫВАЮ:"
    order_of_blocks = [type(b).__name__ for b in doc.body]
    assert order_of_blocks.index("Item") > 1  # the items follow «ПРИКАЗЫВАЮ:»

    items = [b for b in doc.body if isinstance(b, Item)]
    assert [(i.number, i.level) for i in items] == [("1.", 0), ("2.", 0), ("2.1.", 1), ("2.2.", 1), ("3.", 0)]
    assert items[0].text == "Утвердить состав пар (приложение 1)."
    assert items[2].text == (
        "обеспечить участие. Ответственный: заместитель директора по УВР Пожарницкая Н.А., срок: до 15.03.2026."
    )
    assert items[-1].text == (
        "Контроль исполнения приказа возложить на заместителя директора по УВР Пожарницкую Н.А."
    )
    assert doc.signatures == [Signature(UO_HEAD_POST, "Т.Б. Киселева")]
    assert doc.executor_lines == ["Исполнитель: методист", "Иванова Мария Петровна", "тел. 20-376, a@b.ru"]

    assert len(doc.appendices) == 2
    ap = doc.appendices[0]
    assert (ap.label, ap.reference, ap.title) == (
        "Приложение 1",
        "к приказу от 02.03.2026 № 1-од",
        "Состав пар",
    )
    (table,) = ap.blocks
    assert isinstance(table, Table) and table.repeat_header
    assert table.headers == ["№ п/п", "Наставник", "Наставляемый"]
    assert table.rows == [["1", "Иванова М.П.", "Петров И.С."], ["2", "Сидорова А.А.", "Козлов Е.В."]]
    ack = doc.appendices[-1]
    assert ack.title == "Лист ознакомления с приказом от 02.03.2026 № 1-од"
    (ack_table,) = ack.blocks
    assert ack_table.headers == ["№ п/п", "ФИО", "Должность", "Дата", "Подпись"]
    assert ack_table.rows == [
        ["1", "Иванова М.П.", "методист", "03.03.2026", ""],
        ["2", "Петров И.С.", "учитель", "", ""],
    ]
    assert "№ 1-од" in doc.qr_text and "02.03.2026" in doc.qr_text

    text = doc.all_text()
    assert text.index("П Р И К А З") < text.index("ПРИКАЗЫВАЮ:") < text.index("1. Утвердить")
    assert text.index("3. Контроль") < text.index("Т.Б. Киселева") < text.index("Приложение 1")


def test_build_document_keeps_approval_blocks(cfg):
    o = signed(
        cfg,
        approvals=[
            {
                "kind": "СОГЛАСОВАНО",
                "post_lines": ["Директор МКУ «Центр развития образования»"],
                "name": "Н.А. Пожарницкая",
            }
        ],
    )
    with cfg() as s:
        assert orders.order_data(orders.get_order(s, o.id))["approvals"][0]["kind"] == "СОГЛАСОВАНО"  # stored
        doc = orders.build_document(s, orders.get_order(s, o.id))
    assert doc.approvals and "СОГЛАСОВАНО" in doc.all_text()


def test_build_document_self_control_and_plain_basis(cfg):
    o = signed(
        cfg,
        basis=[{"kind": "письмом", "issuer": "Депобразования Югры", "number": "10-П-123"}],
        items=[{"text": "Провести"}, {"text": "Отчитаться"}],
    )
    with cfg() as s:
        doc = orders.build_document(s, orders.get_order(s, o.id))
    paras = [b.text() for b in doc.body if isinstance(b, Para)]
    assert paras[0] == "В соответствии с письмом Депобразования Югры № 10-П-123,"
    items = [b for b in doc.body if isinstance(b, Item)]
    assert [i.number for i in items] == ["1.", "2.", "3."]
    assert items[-1].text == "Контроль исполнения приказа оставляю за собой."
    assert doc.appendices == [] and doc.executor_lines == [] and doc.qr_text == ""


# --- typical orders ------------------------------------------------------------------------------------------------


def test_typical_orders_make_valid_drafts(cfg):
    year = current_school_year()
    with session_scope(cfg) as s:
        for name, director, code in (
            ("МКОУ «Шеркальская СОШ»", "Иванов Иван Иванович", "shnor"),
            ("МБОУ «Андринская СОШ»", "Петрова Анна Сергеевна", "growth"),
            ("МКОУ «Кедровская ООШ»", "Сидоров Пётр Ильич", None),
        ):
            school = schools_svc.save_school(s, {"short_name": name, "director_name": director})
            if code:
                schools_svc.set_statuses(s, school, [{"school_year": year, "status_code": code}])

    saved = {}
    for name, maker in typical.TYPICAL.items():
        with session_scope(cfg) as s:
            d = maker(s)
            errors = orders.validate_order(d)
            if maker is typical.blank_order:
                assert set(errors) == {"title", "items"}  # the user fills the blank one in
                continue
            assert errors == {}, (name, errors)
            o = orders.save_order(s, d)
            saved[name] = o.id
            assert o.status == "draft" and o.number is None and o.template == d["template"]
            doc = orders.build_document(s, o)
            assert doc.title == d["title"] and doc.appendices[0].label == "Приложение 1"
            assert doc.signatures == [Signature(UO_HEAD_POST, "Т.Б. Киселева")]
    assert len(saved) == len(typical.TYPICAL) - 1

    with cfg() as s:
        statuses = orders.order_data(orders.get_order(s, saved["О присвоении статусов школам"]))
        assert (
            statuses["title"]
            == f"О присвоении статусов общеобразовательным организациям на {year} учебный год"
        )
        assert statuses["appendices"][0]["rows"] == [
            ["1", "МБОУ «Андринская СОШ»", "Школа роста", "Петрова Анна Сергеевна"],
            ["2", "МКОУ «Шеркальская СОШ»", "ШНОР", "Иванов Иван Иванович"],
        ]
        diag = orders.order_data(
            orders.get_order(s, saved["О проведении диагностики профессиональных компетенций"])
        )
        assert [r[1] for r in diag["appendices"][0]["rows"]] == [
            "МБОУ «Андринская СОШ»",
            "МКОУ «Шеркальская СОШ»",
        ]
        statuses_doc = orders.build_document(s, orders.get_order(s, saved["О присвоении статусов школам"]))
        first = next(b for b in statuses_doc.body if isinstance(b, Item))
        assert first.text.endswith("(приложение 1).")

    o = orders.sign_order(cfg, saved["Об организации наставничества"])  # a typical draft registers as usual
    assert o.number == 1 and o.status == "signed"
