"""Typical orders of a МОЦ (DOMAIN «Documents»): a title, a preamble, items and appendices filled from data.

Each maker returns the data of a new draft (``orders.save_order`` form); the user edits it before registering.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from moc_desktop.services import schools as schools_svc
from moc_desktop.services.common import current_school_year
from moc_desktop.services.docs.orders import new_order_data

LAW_273 = "Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации»"


def _status_rows(session: Session, year: str, codes: set[str] | None = None) -> list[list[str]]:
    rows = []
    for r in schools_svc.list_schools(session, year):
        if not r.statuses or (codes and not (r.status_codes & codes)):
            continue
        rows.append([str(len(rows) + 1), r.short_name, r.statuses, r.director])
    return rows


def statuses_order(session: Session) -> dict:
    year = current_school_year()
    d = new_order_data(session, "statuses")
    d["title"] = f"О присвоении статусов общеобразовательным организациям на {year} учебный год"
    d["preamble"] = (
        f"В соответствии с {LAW_273}, на основании результатов мониторинга образовательных результатов "
        "общеобразовательных организаций, в целях адресной поддержки школ с низкими образовательными результатами,"
    )
    d["items"] = [
        {
            "text": f"Утвердить перечень общеобразовательных организаций и их статусы на {year} учебный год",
            "appendix": 0,
        },
        {
            "text": "Руководителям общеобразовательных организаций:",
            "children": [
                {"text": "разработать программы перехода в эффективный режим работы"},
                {"text": "представить программы в МОЦ для согласования"},
            ],
        },
    ]
    d["appendices"] = [
        {
            "title": f"Перечень общеобразовательных организаций и их статусы на {year} учебный год",
            "headers": ["№ п/п", "Образовательная организация", "Статус", "Руководитель"],
            "rows": _status_rows(session, year),
            "widths": [1, 7, 4, 5],
        }
    ]
    return d


def diagnostics_order(session: Session) -> dict:
    year = current_school_year()
    d = new_order_data(session, "diagnostics")
    d["title"] = "О проведении диагностики профессиональных компетенций педагогов"
    d["preamble"] = (
        f"В соответствии с {LAW_273}, в целях выявления профессиональных дефицитов педагогов школ с низкими "
        "образовательными результатами и построения индивидуальных образовательных маршрутов,"
    )
    d["items"] = [
        {
            "text": "Провести входную диагностику профессиональных компетенций педагогов общеобразовательных "
            "организаций по перечню",
            "appendix": 0,
        },
        {"text": "Руководителям общеобразовательных организаций обеспечить участие педагогов в диагностике"},
        {"text": "МОЦ подготовить аналитическую справку по результатам диагностики"},
    ]
    d["appendices"] = [
        {
            "title": "Перечень общеобразовательных организаций — участников диагностики",
            "headers": ["№ п/п", "Образовательная организация", "Статус", "Ответственный (руководитель)"],
            "rows": _status_rows(session, year, {"shnor", "shnsu", "growth"}),
            "widths": [1, 7, 4, 5],
        }
    ]
    return d


def roadmap_order(session: Session) -> dict:
    d = new_order_data(session, "roadmap")
    y = date.today().year
    d["title"] = (
        "Об утверждении дорожной карты по сопровождению школ с низкими образовательными результатами и школ, "
        f"функционирующих в неблагоприятных социальных условиях, на {y} год"
    )
    d["preamble"] = f"В соответствии с {LAW_273}, в целях повышения качества образования,"
    d["items"] = [
        {"text": "Утвердить дорожную карту", "appendix": 0},
        {
            "text": "Руководителям общеобразовательных организаций обеспечить выполнение мероприятий дорожной карты"
        },
    ]
    d["appendices"] = [
        {
            "title": "План мероприятий («Дорожная карта»)",
            "headers": [
                "№ п/п",
                "Мероприятия",
                "Срок проведения",
                "Ответственный исполнитель",
                "Ожидаемый результат",
            ],
            "rows": [],
            "widths": [1, 6, 3, 4, 4],
        }
    ]
    return d


def mentoring_order(session: Session) -> dict:
    d = new_order_data(session, "mentoring")
    d["title"] = "Об организации наставничества"
    d["preamble"] = (
        f"В соответствии с {LAW_273}, распоряжением Министерства просвещения Российской Федерации от 25.12.2019 "
        "№ Р-145 «Об утверждении методологии (целевой модели) наставничества …»,"
    )
    d["items"] = [
        {"text": "Утвердить Положение об организации наставничества"},
        {
            "text": "Закрепить школы-«наставники» за школами с низкими образовательными результатами",
            "appendix": 0,
        },
        {
            "text": "Руководителям общеобразовательных организаций заключить соглашения о сетевом взаимодействии"
        },
    ]
    d["appendices"] = [
        {
            "title": "Список «партнёров» сетевого взаимодействия",
            "headers": [
                "Школа-«наставник»",
                "Руководитель",
                "Школа с низкими образовательными результатами",
                "Руководитель",
            ],
            "rows": [],
            "widths": [5, 4, 5, 4],
        }
    ]
    return d


def blank_order(session: Session) -> dict:
    return new_order_data(session)


def _mentors_order(session: Session) -> dict:
    from moc_desktop.services.mentoring import pairs

    return pairs.mentors_order(session)


def _network_order(session: Session) -> dict:
    from moc_desktop.services.mentoring import partnerships

    return partnerships.network_order(session)


TYPICAL: dict[str, Callable[[Session], dict]] = {
    "Пустой приказ": blank_order,
    "О присвоении статусов школам": statuses_order,
    "О проведении диагностики профессиональных компетенций": diagnostics_order,
    "Об утверждении дорожной карты": roadmap_order,
    "Об организации наставничества": mentoring_order,
    "О закреплении наставников (из пар наставничества)": _mentors_order,
    "Об организации сетевого взаимодействия (из партнёрств школ)": _network_order,
}
