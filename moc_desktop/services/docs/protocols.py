"""Meetings and their protocols (протоколы): совет, методический совет, УМО, рабочая группа (DOMAIN «Documents»:
number within the year, date, place, Председатель, Секретарь, Присутствовали with quorum, Повестка дня, per item
СЛУШАЛИ / ВЫСТУПИЛИ / ПОСТАНОВИЛИ with votes, signatures of chair and secretary).

JSON parts: chair/secretary {person_id?, name, post}; attendees [{person_id?, name, post}]; agenda
[{title, speaker: {…}, listened: [{who, text}], spoke: [{who, text}], decided: [text], votes: {for, against,
abstained} | null}].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import Protocol, utcnow
from moc_desktop.services import settings
from moc_desktop.services.common import ValidationError
from moc_desktop.services.docs import grammar, numbering
from moc_desktop.services.docs.common import dump, initials_name, load, moc_lines, person_ref
from moc_desktop.services.docs.model import Document, Item, Para, Run, Signature, Spacer

BODIES = (
    "Методический совет",
    "Совет МОЦ",
    "Муниципальное методическое объединение (УМО)",
    "Рабочая группа",
    "Педагогический совет",
)
#: «заседания …» — the genitive used in the protocol heading
BODY_HEADINGS = {
    "Методический совет": "заседания методического совета",
    "Совет МОЦ": "заседания совета",
    "Муниципальное методическое объединение (УМО)": "заседания муниципального методического объединения",
    "Рабочая группа": "заседания рабочей группы",
    "Педагогический совет": "заседания педагогического совета",
}
STATUSES = {"draft": "Проект", "signed": "Оформлен"}


def quorum(present: int, total: int | None) -> tuple[bool, float] | None:
    """Quorum: more than half of the members are present (the usual rule of collegial bodies' regulations).
    Returns (has quorum, share 0..1), or None when the number of members is unknown."""
    if not total:
        return None
    share = present / total
    return share > 0.5, share


def votes_text(votes: dict | None) -> str:
    """«Голосовали: «за» — 12, «против» — 0, «воздержались» — 1.»"""
    if not votes:
        return ""
    return (
        f"Голосовали: «за» — {int(votes.get('for') or 0)}, «против» — {int(votes.get('against') or 0)}, "
        f"«воздержались» — {int(votes.get('abstained') or 0)}."
    )


def decision_passed(votes: dict | None) -> bool | None:
    """Simple majority of those voting: passed when «за» outnumber «против» (abstentions do not count).
    None when no vote was taken."""
    if not votes:
        return None
    return int(votes.get("for") or 0) > int(votes.get("against") or 0)


def validate_protocol(data: dict) -> dict[str, str]:
    errors = {}
    if not (data.get("body") or "").strip():
        errors["body"] = "Укажите орган (например, «Методический совет»)."
    if not data.get("date"):
        errors["date"] = "Укажите дату заседания."
    if not (data.get("chair") or {}).get("name") and not (data.get("chair") or {}).get("person_id"):
        errors["chair"] = "Укажите председателя."
    if not (data.get("secretary") or {}).get("name") and not (data.get("secretary") or {}).get("person_id"):
        errors["secretary"] = "Укажите секретаря."
    agenda = data.get("agenda") or []
    if not agenda:
        errors["agenda"] = "Повестка дня пуста."
    for i, a in enumerate(agenda):
        if not (a.get("title") or "").strip():
            errors[f"agenda[{i}]"] = f"Вопрос {i + 1} повестки без названия."
        v = a.get("votes")
        if v:
            for k in ("for", "against", "abstained"):
                if int(v.get(k) or 0) < 0:
                    errors[f"agenda[{i}]"] = "Число голосов не может быть отрицательным."
            present = len(data.get("attendees") or [])
            if present and sum(int(v.get(k) or 0) for k in ("for", "against", "abstained")) > present:
                errors[f"agenda[{i}]"] = f"Вопрос {i + 1}: голосов больше, чем присутствующих ({present})."
    total = data.get("members_total")
    if total is not None and total != "" and int(total) < len(data.get("attendees") or []):
        errors["members_total"] = "Присутствующих больше, чем членов органа."
    return errors


JSON_FIELDS = ("chair", "secretary", "attendees", "invited", "agenda", "approvals")


def new_protocol_data(session: Session, body: str = "Методический совет") -> dict:
    return {
        "body": body,
        "date": date.today(),
        "place": settings.get(session, "moc_name"),
        "title": "",
        "chair": {},
        "secretary": {},
        "attendees": [],
        "members_total": None,
        "invited": [],
        "agenda": [],
        "approvals": [],
    }


def protocol_data(p: Protocol) -> dict:
    data = {
        "body": p.body,
        "date": p.date,
        "place": p.place,
        "title": p.title,
        "members_total": p.members_total,
    }
    for f in JSON_FIELDS:
        data[f] = load(getattr(p, f), {} if f in ("chair", "secretary") else [])
    return data


def save_protocol(session: Session, data: dict, p: Protocol | None = None) -> Protocol:
    if p is not None and p.status == "signed" and data.get("body") and data["body"] != p.body:
        raise ValidationError(
            {"body": "У оформленного протокола нельзя сменить орган: номер выдан в его журнале."}
        )
    if (
        p is not None
        and p.status == "signed"
        and data.get("date")
        and p.reg_year
        and data["date"].year != p.reg_year
    ):
        raise ValidationError(
            {
                "date": f"Оформленный протокол остаётся в журнале {p.reg_year} года: дату можно менять только в его пределах."
            }
        )
    errors = validate_protocol(data)
    if errors:
        raise ValidationError(errors)
    if p is None:
        p = Protocol(status="draft", body=data["body"].strip())
        session.add(p)
    p.body = data["body"].strip()
    p.date = data["date"]
    p.place = (data.get("place") or "").strip()
    p.title = (data.get("title") or "").strip()
    total = data.get("members_total")
    p.members_total = None if total in (None, "") else int(total)
    for f in JSON_FIELDS:
        if f in data:
            setattr(p, f, dump(data[f]))
    session.flush()
    return p


def sign_protocol(factory: sessionmaker[Session], protocol_id: int) -> Protocol:
    """Give the protocol the next number of its body in the calendar year of the meeting."""
    with session_scope(factory) as s:
        p = s.get(Protocol, protocol_id)
        if p is None or p.deleted_at is not None:
            raise ValidationError({"protocol": "Протокол не найден."})
        if p.status != "draft":
            raise ValidationError({"status": "Протокол уже оформлен."})
        year = (p.date or date.today()).year
        n = numbering.allocate(
            s,
            f"protocol:{p.body}",
            year,
            numbering.max_query(Protocol.number, Protocol.body == p.body, Protocol.reg_year == year),
        )
        s.refresh(p)  # read again under the write lock
        if p.status != "draft":
            raise ValidationError({"status": "Протокол уже оформлен в другом окне."})
        p.reg_year, p.number, p.status = year, n, "signed"
        s.flush()
        return p


def delete_draft(session: Session, p: Protocol) -> None:
    if p.status != "draft":
        raise ValidationError({"status": "Оформленный протокол не удаляется."})
    p.deleted_at = utcnow()


@dataclass(frozen=True)
class ProtocolRow:
    id: int
    body: str
    number_text: str
    number: int | None
    date: date | None
    title: str
    status: str
    status_code: str
    present: int


def list_protocols(session: Session, year: int | None = None) -> list[ProtocolRow]:
    q = select(Protocol).where(Protocol.deleted_at.is_(None))
    rows = []
    for p in session.scalars(q):
        if year and p.date and p.date.year != year:
            continue
        rows.append(
            ProtocolRow(
                p.id,
                p.body,
                str(p.number) if p.number is not None else "проект",
                p.number,
                p.date,
                p.title or _agenda_summary(load(p.agenda, [])),
                STATUSES.get(p.status, p.status),
                p.status,
                len(load(p.attendees, [])),
            )
        )
    rows.sort(key=lambda r: (r.date or date.max, r.body, r.number or 0), reverse=True)
    return rows


def _agenda_summary(agenda: list[dict]) -> str:
    return "; ".join(a.get("title", "") for a in agenda[:2]) + (" …" if len(agenda) > 2 else "")


def get_protocol(session: Session, protocol_id: int) -> Protocol | None:
    p = session.get(Protocol, protocol_id)
    return p if p is not None and p.deleted_at is None else None


def _who(session: Session, ref: dict | None) -> str:
    """«Иванова М.П., методист МОЦ» — short name first, then post (protocol style)."""
    _p, name, post = person_ref(session, ref)
    short = initials_name(name, initials_first=False) if name else ""
    return ", ".join(x for x in (short, post) if x)


def build_document(session: Session, p: Protocol) -> Document:
    d = protocol_data(p)
    heading = BODY_HEADINGS.get(p.body, f"заседания ({p.body})")
    doc = Document(
        kind="ПРОТОКОЛ",
        org_lines=moc_lines(session),
        date_text=grammar.numeric_date(p.date) if p.date else "__.__.____",
        number_text=f"№ {p.number}" if p.number is not None else "№ ___",
        place=settings.get(session, "place"),
        title=heading + (f"\n{p.title}" if p.title else ""),
        file_stem=f"Протокол {p.number or 'проект'} {p.body}",
    )
    from moc_desktop.services.docs.orders import approval_blocks

    doc.approvals = approval_blocks(d.get("approvals"))
    body = doc.body
    _c, chair_name, _ = person_ref(session, d["chair"])
    _s, sec_name, _ = person_ref(session, d["secretary"])
    body.append(
        Para(
            f"Председатель — {_who(session, d['chair'])}",
            align="left",
            first_line_indent=False,
            space_before=12,
        )
    )
    body.append(Para(f"Секретарь — {_who(session, d['secretary'])}", align="left", first_line_indent=False))
    present = len(d["attendees"])
    names = "; ".join(_who(session, a) for a in d["attendees"])
    body.append(
        Para(
            [Run("Присутствовали: ", bold=True), Run(f"{present} чел. ({names})." if names else "—")],
            align="justify",
            first_line_indent=False,
        )
    )
    if d["invited"]:
        body.append(
            Para(
                [
                    Run("Приглашённые: ", bold=True),
                    Run("; ".join(_who(session, a) for a in d["invited"]) + "."),
                ],
                first_line_indent=False,
            )
        )
    q = quorum(present, d["members_total"])
    if q is not None:
        has, share = q
        pct = f"{share * 100:.0f}".replace(".", ",")
        word = "Кворум имеется" if has else "Кворума нет"
        body.append(
            Para(
                f"{word}: присутствуют {present} из {d['members_total']} членов ({pct} %).",
                first_line_indent=False,
            )
        )
    body.append(
        Para([Run("ПОВЕСТКА ДНЯ:", bold=True)], align="center", first_line_indent=False, space_before=12)
    )
    for i, a in enumerate(d["agenda"], start=1):
        speaker = _who(session, a.get("speaker"))
        body.append(Item(f"{i}.", a.get("title", "") + (f" ({speaker})" if speaker else "")))
    for i, a in enumerate(d["agenda"], start=1):
        body.append(
            Para(
                [Run(f"{i}. СЛУШАЛИ: ", bold=True), Run(_speeches(a.get("listened"), a.get("title", "")))],
                first_line_indent=False,
                space_before=12,
            )
        )
        if a.get("spoke"):
            body.append(
                Para([Run("ВЫСТУПИЛИ: ", bold=True), Run(_speeches(a["spoke"], ""))], first_line_indent=False)
            )
        body.append(Para([Run("ПОСТАНОВИЛИ:", bold=True)], align="left", first_line_indent=False))
        for j, dec in enumerate(a.get("decided") or [], start=1):
            body.append(Item(f"{i}.{j}.", dec, level=1))
        vt = votes_text(a.get("votes"))
        if vt:
            body.append(Para(vt, first_line_indent=False))
    body.append(Spacer(24))
    doc.signatures += [
        Signature("Председатель", initials_name(chair_name)),
        Signature("Секретарь", initials_name(sec_name)),
    ]
    return doc


def _speeches(items: list[dict] | None, fallback: str) -> str:
    parts = []
    for s in items or []:
        who = s.get("who", "").strip()
        text = s.get("text", "").strip()
        parts.append(f"{who} — {text}" if who and text else who or text)
    return " ".join(parts) if parts else fallback
