"""The audit log page: an administrator sees and filters the log and exports it; a methodist is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from moc_desktop.db.engine import session_scope
from moc_desktop.services import auth, schools
from moc_desktop.ui.audit import REFUSAL, AuditPage
from tests.ui.conftest import type_text

PASSWORD = "parol-12345"


@pytest.fixture
def users(configured):
    with session_scope(configured) as s:
        auth.create_user(s, "admin", "Смирнова Ольга Викторовна", "admin", PASSWORD)
        auth.create_user(s, "metod", "Кузнецов Павел Андреевич", "methodist", PASSWORD)
    out = {}
    for login in ("admin", "metod"):
        with session_scope(configured) as s:
            out[login] = auth.authenticate(s, login, PASSWORD)
    auth.bind_actor(configured, out["metod"])
    with session_scope(configured) as s:
        school_id = schools.save_school(s, {"short_name": "МБОУ СОШ № 1", "settlement": "Луговое"}).id
    with session_scope(configured) as s:
        changes = {"settlement": "Заречное", "phone": "8 (800) 100-20-30"}
        schools.save_school(s, changes, schools.get_school(s, school_id))
    return out


def _page(qtbot, factory, user):
    page = AuditPage(factory, lambda: user)
    qtbot.addWidget(page)
    page.resize(1400, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def _column(page, col):
    m = page.model
    return [m.data(m.index(r, col)) for r in range(m.rowCount())]


def test_admin_sees_filters_and_exports(qtbot, configured, users, tmp_path):
    page = _page(qtbot, configured, users["admin"])
    assert page.loaded and page.stack.currentIndex() == 0
    total = page.model.total
    assert page.model.rowCount() == total > 0
    assert page.count_label.text() == f"Найдено: {total}"
    actions = set(_column(page, 2))
    assert {"создание", "изменение", "вход"} <= actions
    assert "Луговое" in _column(page, 6) and "Заречное" in _column(page, 7)
    assert page.user.findData("metod") > 0

    page.action.setCurrentIndex(page.action.findData("update"))
    assert set(_column(page, 2)) == {"изменение"}
    assert page.model.rowCount() == 2
    assert set(_column(page, 5)) == {"Населённый пункт", "Телефон"}
    assert set(_column(page, 4)) == {"МБОУ СОШ № 1"}
    assert page.count_label.text() == "Найдено: 2"

    type_text(page.search, "заречн")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert _column(page, 7) == ["Заречное"]

    page.reset_filters()
    assert page.model.rowCount() == total and page.search.text() == ""

    out = page.export(str(tmp_path / "журнал"))
    assert out == Path(tmp_path / "журнал.xlsx") and out.exists()
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Дата и время", "Пользователь", "Действие")
    assert len(rows) == total + 1
    # the export is logged and the page shows it at the top
    assert page.model.total == total + 1
    assert _column(page, 2)[0] == "выгрузка"

    page.grab().save(str(tmp_path / "audit.png"))


def test_lazy_paging(qtbot, configured, users):
    auth.bind_actor(configured, users["admin"])
    with session_scope(configured) as s:
        school = schools.get_school(s, schools.school_choices(s)[0][0])
        for i in range(520):
            schools.save_school(s, {"phone": f"+7 900 000-{i:04d}"}, school)
    page = _page(qtbot, configured, users["admin"])
    assert page.model.total > 520
    assert page.model.rowCount() == 500
    assert page.model.canFetchMore(page.model.index(-1, -1))
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == page.model.total, timeout=3000)


def test_methodist_sees_the_refusal(qtbot, configured, users):
    page = _page(qtbot, configured, users["metod"])
    assert page.stack.currentIndex() == 1
    assert page.refusal.text() == REFUSAL == "Журнал аудита доступен только администратору."
    assert page.refusal.isVisible()
    assert page.model.rowCount() == 0
    assert page.export("/tmp/never.xlsx") is None
    assert not Path("/tmp/never.xlsx").exists()
