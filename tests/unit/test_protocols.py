"""Meetings and their protocols (services.docs.protocols) on real migrated SQLite files: quorum, votes, validation,
numbering per body and calendar year, and the printable document (ПРОТОКОЛ … СЛУШАЛИ / ПОСТАНОВИЛИ)."""

from __future__ import annotations

from datetime import date

import pytest

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import DocCounter, Protocol
from moc_desktop.services import settings
from moc_desktop.services.common import ValidationError
from moc_desktop.services.docs import protocols
from moc_desktop.services.docs.model import Item, Para, Signature

MS, UMO = "Методический совет", "Муниципальное методическое объединение (УМО)"
CHAIR = {"name": "Пожарницкая Наталья Анатольевна", "post": "директор МКУ «ЦРО»"}
SECRETARY = {"name": "Иванова Мария Петровна", "post": "методист"}


def attendees(n: int) -> list[dict]:
    return [
        {"name": f"Петрова Анна Сергеевна{'' if i == 0 else f' {i}'}", "post": "учитель"} for i in range(n)
    ]


def protocol_dict(
    body: str = MS,
    on: date = date(2026, 3, 2),
    present: int = 3,
    total: int | None = 5,
    votes: dict | None = None,
    **extra,
) -> dict:
    d = {
        "body": body,
        "date": on,
        "place": "МКУ «ЦРО»",
        "title": "",
        "chair": CHAIR,
        "secretary": SECRETARY,
        "attendees": attendees(present),
        "members_total": total,
        "invited": [],
        "agenda": [
            {
                "title": "Об итогах мониторинга",
                "speaker": SECRETARY,
                "listened": [{"who": "Иванову М.П.", "text": "об итогах мониторинга"}],
                "spoke": [{"who": "Петрова А.С.", "text": "предложила одобрить"}],
                "decided": ["Информацию принять к сведению.", "Одобрить план."],
                "votes": votes if votes is not None else {"for": 3, "against": 0, "abstained": 0},
            }
        ],
        "approvals": [],
    }
    d.update(extra)
    return d


@pytest.fixture
def cfg(factory):
    with session_scope(factory) as s:
        for key, (_label, example) in settings.SETTINGS.items():
            settings.set_value(s, key, example)
    return factory


def make(factory, **kw) -> int:
    with session_scope(factory) as s:
        return protocols.save_protocol(s, protocol_dict(**kw)).id


def sign(factory, **kw) -> Protocol:
    return protocols.sign_protocol(factory, make(factory, **kw))


# --- rules ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "total", "expected"),
    [
        (11, 20, (True, 0.55)),
        (10, 20, (False, 0.5)),  # exactly half is not a quorum
        (3, 5, (True, 0.6)),
        (2, 5, (False, 0.4)),
        (5, 5, (True, 1.0)),
        (1, 1, (True, 1.0)),
        (0, 7, (False, 0.0)),
        (3, None, None),  # members unknown → no verdict
        (3, 0, None),
    ],
)
def test_quorum(present, total, expected):
    got = protocols.quorum(present, total)
    if expected is None:
        assert got is None
    else:
        assert got[0] is expected[0] and got[1] == pytest.approx(expected[1])


def test_votes_text_and_decision():
    assert protocols.votes_text({"for": 12, "against": 0, "abstained": 1}) == (
        "Голосовали: «за» — 12, «против» — 0, «воздержались» — 1."
    )
    assert protocols.votes_text({"for": "7"}) == "Голосовали: «за» — 7, «против» — 0, «воздержались» — 0."
    assert protocols.votes_text(None) == "" and protocols.votes_text({}) == ""
    assert protocols.decision_passed({"for": 3, "against": 2, "abstained": 5}) is True
    assert protocols.decision_passed({"for": 2, "against": 2}) is False
    assert protocols.decision_passed(None) is None


def test_validation():
    assert protocols.validate_protocol(protocol_dict()) == {}
    assert protocols.validate_protocol(protocol_dict(total=None)) == {}
    errors = protocols.validate_protocol(protocol_dict(chair={}, secretary={"name": ""}))
    assert errors == {"chair": "Укажите председателя.", "secretary": "Укажите секретаря."}
    assert protocols.validate_protocol(protocol_dict(chair={"person_id": 1})) == {}

    errors = protocols.validate_protocol(
        protocol_dict(present=3, votes={"for": 3, "against": 1, "abstained": 0})
    )
    assert errors == {"agenda[0]": "Вопрос 1: голосов больше, чем присутствующих (3)."}
    errors = protocols.validate_protocol(protocol_dict(votes={"for": -1}))
    assert errors == {"agenda[0]": "Число голосов не может быть отрицательным."}
    errors = protocols.validate_protocol(protocol_dict(present=6, total=5, votes={"for": 6}))
    assert errors == {"members_total": "Присутствующих больше, чем членов органа."}
    assert protocols.validate_protocol(protocol_dict(present=5, total="5", votes={"for": 5})) == {}

    errors = protocols.validate_protocol(protocol_dict(body=" ", on=None, agenda=[]))
    assert set(errors) == {"body", "date", "agenda"}
    assert errors["agenda"] == "Повестка дня пуста."
    errors = protocols.validate_protocol(protocol_dict(agenda=[{"title": "Отчёт"}, {"title": ""}]))
    assert errors == {"agenda[1]": "Вопрос 2 повестки без названия."}


def test_invalid_protocol_not_saved(cfg):
    with session_scope(cfg) as s:
        with pytest.raises(ValidationError) as exc:
            protocols.save_protocol(s, protocol_dict(chair={}))
        assert exc.value.errors == {"chair": "Укажите председателя."}
    with cfg() as s:
        assert protocols.list_protocols(s) == []


# --- numbering ------------------------------------------------------------------------------------------------------


def test_numbering_per_body_and_year(cfg):
    draft = make(cfg)
    ms1 = sign(cfg, on=date(2025, 12, 30))
    umo1 = sign(cfg, body=UMO, on=date(2025, 12, 31))
    ms2 = sign(cfg, on=date(2025, 12, 31))
    ms_2026 = sign(cfg, on=date(2026, 1, 1))
    umo_2026 = sign(cfg, body=UMO, on=date(2026, 1, 2))
    ms_2026b = sign(cfg, on=date(2026, 1, 20))
    late = sign(cfg, body=UMO, on=date(2025, 12, 29))  # registered late, counted in its own year
    got = [(p.body, p.reg_year, p.number) for p in (ms1, umo1, ms2, ms_2026, umo_2026, ms_2026b, late)]
    assert got == [
        (MS, 2025, 1),
        (UMO, 2025, 1),
        (MS, 2025, 2),
        (MS, 2026, 1),
        (UMO, 2026, 1),
        (MS, 2026, 2),
        (UMO, 2025, 2),
    ]
    assert ms1.status == "signed"
    with cfg() as s:
        assert s.get(DocCounter, (f"protocol:{MS}", 2025)).last == 2
        assert s.get(DocCounter, (f"protocol:{UMO}", 2026)).last == 1
        p = protocols.get_protocol(s, draft)
        assert (p.status, p.number, p.reg_year) == ("draft", None, None)
        rows = protocols.list_protocols(s, 2026)
        assert {(r.body, r.number_text) for r in rows} == {(MS, "проект"), (MS, "1"), (UMO, "1"), (MS, "2")}
        assert {r.status for r in rows} == {"Проект", "Оформлен"}
        assert all(r.present == 3 for r in rows)
        assert len(protocols.list_protocols(s)) == 8


def test_sign_and_delete_rules(cfg):
    p = sign(cfg)
    with pytest.raises(ValidationError) as exc:
        protocols.sign_protocol(cfg, p.id)
    assert exc.value.errors == {"status": "Протокол уже оформлен."}
    with pytest.raises(ValidationError) as exc:
        protocols.sign_protocol(cfg, 9999)
    assert exc.value.errors == {"protocol": "Протокол не найден."}
    with session_scope(cfg) as s:
        obj = s.get(Protocol, p.id)
        with pytest.raises(ValidationError) as exc:
            protocols.delete_draft(s, obj)
        assert exc.value.errors == {"status": "Оформленный протокол не удаляется."}
        with pytest.raises(ValidationError) as exc:
            protocols.save_protocol(s, protocol_dict(body=UMO), obj)
        assert "body" in exc.value.errors
        protocols.save_protocol(s, protocol_dict(place="Актовый зал"), obj)  # same body: editable
    draft = make(cfg)
    with session_scope(cfg) as s:
        protocols.delete_draft(s, s.get(Protocol, draft))
    with cfg() as s:
        assert protocols.get_protocol(s, draft) is None
        assert [r.id for r in protocols.list_protocols(s)] == [p.id]
        assert protocols.get_protocol(s, p.id).place == "Актовый зал"
    with pytest.raises(ValidationError):
        protocols.sign_protocol(cfg, draft)
    assert sign(cfg).number == 2


def test_signed_protocol_cannot_change_year(cfg):
    p = sign(cfg, on=date(2025, 12, 30))
    assert sign(cfg, on=date(2026, 1, 10)).number == 1
    with session_scope(cfg) as s, pytest.raises(ValidationError):
        protocols.save_protocol(s, protocol_dict(on=date(2026, 1, 12)), s.get(Protocol, p.id))


# --- the printable document -----------------------------------------------------------------------------------------


def test_build_document(cfg):
    extra = {
        "title": "Об итогах года",
        "invited": [{"name": "Сидоров Пётр Ильич", "post": "директор школы"}],
        "agenda": [
            protocol_dict()["agenda"][0],
            {"title": "Разное", "listened": [], "decided": ["Принять к сведению."], "votes": None},
        ],
    }
    p = sign(cfg, present=3, total=5, **extra)
    with cfg() as s:
        doc = protocols.build_document(s, protocols.get_protocol(s, p.id))
    assert doc.kind == "ПРОТОКОЛ"
    assert doc.org_lines == ["МКУ «Центр развития образования Октябрьского района»"]
    assert (doc.date_text, doc.number_text, doc.place) == ("02.03.2026", "№ 1", "п.г.т. Октябрьское")
    assert doc.title == "заседания методического совета\nОб итогах года"
    paras = [b.text() for b in doc.body if isinstance(b, Para)]
    assert paras[0] == "Председатель — Пожарницкая Н.А., директор МКУ «ЦРО»"
    assert paras[1] == "Секретарь — Иванова М.П., методист"
    assert paras[2].startswith("Присутствовали: 3 чел. (Петрова А.С., учитель;")
    assert paras[3] == "Приглашённые: Сидоров П.И., директор школы."
    assert paras[4] == "Кворум имеется: присутствуют 3 из 5 членов (60 %)."
    assert "ПОВЕСТКА ДНЯ:" in paras
    assert "1. СЛУШАЛИ: Иванову М.П. — об итогах мониторинга" in paras
    assert "ВЫСТУПИЛИ: Петрова А.С. — предложила одобрить" in paras
    assert "2. СЛУШАЛИ: Разное" in paras  # no speech recorded: the agenda title
    assert paras.count("ПОСТАНОВИЛИ:") == 2
    assert paras.count("Голосовали: «за» — 3, «против» — 0, «воздержались» — 0.") == 1

    items = [(b.number, b.text) for b in doc.body if isinstance(b, Item)]
    assert items == [
        ("1.", "Об итогах мониторинга (Иванова М.П., методист)"),
        ("2.", "Разное"),
        ("1.1.", "Информацию принять к сведению."),
        ("1.2.", "Одобрить план."),
        ("2.1.", "Принять к сведению."),
    ]
    text = doc.all_text()
    order = ["ПРОТОКОЛ", "Председатель —", "Кворум имеется", "ПОВЕСТКА ДНЯ", "1. СЛУШАЛИ", "ПОСТАНОВИЛИ"]
    positions = [text.index(x) for x in order]
    assert positions == sorted(positions)
    assert text.index("1.2. Одобрить план.") < text.index("Голосовали:") < text.index("2. СЛУШАЛИ")
    assert doc.signatures == [
        Signature("Председатель", "Н.А. Пожарницкая"),
        Signature("Секретарь", "М.П. Иванова"),
    ]


def test_build_document_without_quorum_and_draft(cfg):
    pid = make(cfg, body="Рабочая группа", present=2, total=5, votes={"for": 2})
    uid = make(cfg, body="Совсем новый орган", total=None)
    with cfg() as s:
        doc = protocols.build_document(s, protocols.get_protocol(s, pid))
        assert "Кворума нет: присутствуют 2 из 5 членов (40 %)." in doc.all_text()
        assert doc.number_text == "№ ___" and doc.title == "заседания рабочей группы"
        doc = protocols.build_document(s, protocols.get_protocol(s, uid))
        assert "Кворум" not in doc.all_text()  # members unknown: no quorum line
        assert doc.title == "заседания (Совсем новый орган)"
