"""Register of orders (приказы): drafts, registration with a number, cancellation, controlled tasks, and the
printable document built from an order (seed 003 order № 448-од; DOMAIN «Documents»; ГОСТ Р 7.0.97-2025).

An order's structured parts are JSON (see the keys documented on each function); dates inside are ISO strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import OrderDoc, Person, utcnow
from moc_desktop.services import settings
from moc_desktop.services.common import ValidationError
from moc_desktop.services.docs import grammar, numbering
from moc_desktop.services.docs.common import dump, from_iso, initials_name, load, org_lines, person_ref
from moc_desktop.services.docs.model import (
    Appendix,
    ApprovalBlock,
    Document,
    Item,
    Para,
    Run,
    Signature,
    Spacer,
    Table,
)

STATUSES = {"draft": "Проект", "signed": "Подписан", "cancelled": "Отменён"}
BASIS_KINDS = (
    "Федеральный закон",
    "постановление",
    "распоряжение",
    "приказ",
    "письмо",
    "решение",
    "протокол",
    "положение",
)
CONTROL_SELF = "Контроль исполнения приказа оставляю за собой."
SCOPE = "order"


# --- validation -----------------------------------------------------------------------------------------------


def validate_order(data: dict) -> dict[str, str]:
    """Field → Russian message. Keys: title, date, items[i], items[i].children[j], control, basis[i]."""
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "Укажите заголовок приказа («Об …», «О …»)."
    elif not title.lower().startswith(("о ", "об ", "обо ")):
        errors["title"] = (
            "Заголовок приказа начинается с предлога «О», «Об» или «Обо» (например, «Об организации …»)."
        )
    items = data.get("items") or []
    if not any((it.get("text") or "").strip() for it in items):
        errors["items"] = "В приказе нет ни одного пункта."
    for i, it in enumerate(items):
        if not (it.get("text") or "").strip() and not it.get("children"):
            errors[f"items[{i}]"] = f"Пункт {i + 1} пуст."
        for j, ch in enumerate(it.get("children") or []):
            if not (ch.get("text") or "").strip():
                errors[f"items[{i}].children[{j}]"] = f"Подпункт {i + 1}.{j + 1} пуст."
    control = data.get("control") or {}
    if control.get("mode") == "assign" and not (
        control.get("person_id") or (control.get("name") or "").strip()
    ):
        errors["control"] = "Укажите, на кого возложить контроль исполнения."
    for i, b in enumerate(data.get("basis") or []):
        if not (b.get("title") or b.get("number")):
            errors[f"basis[{i}]"] = "Укажите номер или название документа-основания."
    return errors


# --- writes ---------------------------------------------------------------------------------------------------

JSON_FIELDS = ("basis", "items", "control", "executor", "appendices", "acquaintance", "approvals")
PLAIN_FIELDS = ("title", "preamble", "signatory_post", "signatory_name", "template")


def new_order_data(session: Session, template: str = "") -> dict:
    """Defaults for a new order: today, the head of the education authority as signatory, «оставляю за собой»."""
    v = settings.all_values(session)
    return {
        "title": "",
        "date": date.today(),
        "basis": [],
        "preamble": "",
        "items": [],
        "control": {"mode": "self"},
        "signatory_post": v["uo_head_post"],
        "signatory_name": v["uo_head_name"],
        "executor": {},
        "appendices": [],
        "acquaintance": [],
        "approvals": [],
        "qr": False,
        "template": template,
    }


def order_data(order: OrderDoc) -> dict:
    """The editable form of an order (what ``save_order`` takes)."""
    data = {f: getattr(order, f) for f in PLAIN_FIELDS}
    for f in JSON_FIELDS:
        data[f] = load(getattr(order, f), {} if f in ("control", "executor") else [])
    data["date"] = order.date
    data["qr"] = order.qr
    return data


def save_order(session: Session, data: dict, order: OrderDoc | None = None) -> OrderDoc:
    """Create or update a draft. A signed order changes only in its execution marks (``done_on`` of items) and
    its acquaintance list; a cancelled one not at all. Raises ``ValidationError``; does not commit."""
    if order is not None and order.status == "cancelled":
        raise ValidationError({"status": "Отменённый приказ не изменяется."})
    if order is not None and order.status == "signed":
        _save_marks(order, data)
        session.flush()
        return order
    errors = validate_order(data)
    if errors:
        raise ValidationError(errors)
    if order is None:
        order = OrderDoc(status="draft", suffix="")
        session.add(order)
    for f in PLAIN_FIELDS:
        if f in data:
            setattr(order, f, (data[f] or "").strip())
    for f in JSON_FIELDS:
        if f in data:
            setattr(order, f, dump(data[f]))
    order.date = data.get("date")
    order.qr = bool(data.get("qr"))
    session.flush()
    return order


def _save_marks(order: OrderDoc, data: dict) -> None:
    items = load(order.items, [])
    new_items = data.get("items") or []
    for old, new in zip(items, new_items, strict=False):
        old["done_on"] = new.get("done_on")
        for oc, nc in zip(old.get("children") or [], new.get("children") or [], strict=False):
            oc["done_on"] = nc.get("done_on")
    order.items = dump(items)
    if "acquaintance" in data:
        order.acquaintance = dump(data["acquaintance"])


def sign_order(factory: sessionmaker[Session], order_id: int, on: date | None = None) -> OrderDoc:
    """Register a draft: give it the next number of its calendar year and the register suffix, status «signed».

    Runs in a transaction of its own whose first write takes the number (``numbering.allocate``), so two
    registrations at the same moment get consecutive numbers."""
    with session_scope(factory) as s:
        order = s.get(OrderDoc, order_id)
        if order is None or order.deleted_at is not None:
            raise ValidationError({"order": "Приказ не найден."})
        if order.status != "draft":
            raise ValidationError({"status": "Зарегистрировать можно только проект приказа."})
        when = on or order.date or date.today()
        year = when.year
        n = numbering.allocate(
            s, SCOPE, year, numbering.max_query(OrderDoc.number, OrderDoc.reg_year == year)
        )
        s.refresh(order)  # read again under the write lock: another window may have registered it meanwhile
        if order.status != "draft":
            raise ValidationError({"status": "Приказ уже зарегистрирован в другом окне."})
        order.reg_year, order.number, order.date = year, n, when
        order.suffix = settings.get(s, "order_suffix")
        order.status = "signed"
        s.flush()
        return order


def cancel_order(session: Session, order: OrderDoc, note: str) -> None:
    """A signed order is cancelled, never deleted: its number stays taken (no gaps in the register)."""
    if order.status != "signed":
        raise ValidationError({"status": "Отменить можно только подписанный приказ."})
    if not note.strip():
        raise ValidationError({"cancel_note": "Укажите основание отмены (например, приказ об отмене)."})
    order.status = "cancelled"
    order.cancel_note = note.strip()


def delete_draft(session: Session, order: OrderDoc) -> None:
    if order.status != "draft":
        raise ValidationError({"status": "Удалить можно только проект; подписанный приказ отменяют."})
    order.deleted_at = utcnow()


# --- queries --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    id: int
    number_text: str  # «448-од» or «проект»
    number: int | None
    date: date | None
    title: str
    status: str  # Russian
    status_code: str
    signatory: str
    reg_year: int | None


def number_label(order: OrderDoc) -> str:
    return f"{order.number}{order.suffix}" if order.number is not None else "проект"


def list_orders(session: Session, year: int | None = None) -> list[OrderRow]:
    q = select(OrderDoc).where(OrderDoc.deleted_at.is_(None))
    if year:
        q = q.where(
            (OrderDoc.reg_year == year) | ((OrderDoc.reg_year.is_(None)) & (OrderDoc.status == "draft"))
        )
    rows = []
    for o in session.scalars(q):
        rows.append(
            OrderRow(
                o.id,
                number_label(o),
                o.number,
                o.date,
                o.title,
                STATUSES.get(o.status, o.status),
                o.status,
                o.signatory_name,
                o.reg_year,
            )
        )
    rows.sort(key=lambda r: (r.reg_year or 9999, r.number or 10**9, r.id), reverse=True)
    return rows


def get_order(session: Session, order_id: int) -> OrderDoc | None:
    o = session.get(OrderDoc, order_id)
    return o if o is not None and o.deleted_at is None else None


@dataclass(frozen=True)
class Task:
    """A controlled item: an item of a signed order with a deadline and a responsible person."""

    order_id: int
    order_label: str  # «от 25.05.2020 № 448-од»
    item_number: str  # «4.1»
    text: str
    responsible: str
    deadline: date
    done_on: date | None
    overdue: bool


def is_overdue(deadline: date | None, done_on: date | None, today: date) -> bool:
    """Overdue: the deadline has passed and the item is not marked done."""
    return deadline is not None and done_on is None and deadline < today


def controlled_tasks(session: Session, today: date | None = None, include_done: bool = False) -> list[Task]:
    """Items with a deadline and a responsible person from signed orders, overdue first, then by deadline."""
    today = today or date.today()
    out = []
    for o in session.scalars(
        select(OrderDoc).where(OrderDoc.deleted_at.is_(None), OrderDoc.status == "signed")
    ):
        label = f"от {grammar.numeric_date(o.date)} № {number_label(o)}" if o.date else f"№ {number_label(o)}"
        for num, it in _numbered(load(o.items, [])):
            deadline = from_iso(it.get("deadline"))
            resp = it.get("responsible") or {}
            if deadline is None or not (resp.get("person_id") or resp.get("name")):
                continue
            done = from_iso(it.get("done_on"))
            if done is not None and not include_done:
                continue
            _p, name, _post = person_ref(session, resp)
            out.append(
                Task(
                    o.id,
                    label,
                    num,
                    it.get("text", ""),
                    name,
                    deadline,
                    done,
                    is_overdue(deadline, done, today),
                )
            )
    out.sort(key=lambda t: (not t.overdue, t.deadline))
    return out


def _numbered(items: list[dict]):
    """(«4», item), («4.1», sub-item) … in document order."""
    for i, it in enumerate(items, start=1):
        yield str(i), it
        for j, ch in enumerate(it.get("children") or [], start=1):
            yield f"{i}.{j}", ch


# --- the printable document -----------------------------------------------------------------------------------


def _person_for_grammar(session: Session, ref: dict | None):
    p, name, post = person_ref(session, ref)
    return p, name, post


def responsible_text(session: Session, ref: dict | None, case: str = "nom") -> str:
    """«заместитель директора по УВР Иванова М.П.» in the case the sentence needs (head-word post, surname only)."""
    p, name, post = person_ref(session, ref)
    if not name:
        return ""
    overrides = {}
    if p is not None:
        overrides = {c: getattr(p, f"post_{c}") for c in ("gen", "dat", "acc") if getattr(p, f"post_{c}")}
    post_text = grammar.post_in_case(post, case, overrides) if post else ""
    if p is not None:
        short = grammar.person_short_in_case(p, case)  # the person's own case forms win
    else:
        short = initials_name(name, initials_first=False)
    return f"{post_text} {short}".strip()


def item_text(text: str, appendix: int | None = None, responsible: str = "", deadline: str = "") -> str:
    """An item as printed: its text, «(приложение N)» before the final punctuation, then «Ответственный: …,
    срок: до ДД.ММ.ГГГГ.» as a sentence of its own. An item that ends with «;» or «:» (a list continues) keeps
    that mark and gets the responsible person in brackets instead."""
    text = " ".join(text.split())
    end = text[-1] if text and text[-1] in ".;:" else ""
    core = text[: len(text) - len(end)].rstrip() if end else text
    if appendix is not None:
        core += f" (приложение {appendix})"
    extras = ", ".join(
        x
        for x in (
            f"ответственный: {responsible}" if responsible else "",
            f"срок: до {deadline}" if deadline else "",
        )
        if x
    )
    if not extras:
        return core + (end or ".") if core else core
    if end in (";", ":"):
        return f"{core} ({extras}){end}"
    extras = extras.rstrip(".")  # «… Иванова М.П.» ends with the initials' own dot
    return f"{core}. {extras[0].upper()}{extras[1:]}."


def control_sentence(session: Session, control: dict) -> str:
    """«Контроль исполнения приказа оставляю за собой.» or «… возложить на <post acc> <Фамилия И.О. acc>.»"""
    if (control or {}).get("mode") != "assign":
        return CONTROL_SELF
    who = responsible_text(session, control, "acc")
    return f"Контроль исполнения приказа возложить на {who.rstrip('.')}."


def order_reference(session: Session, order: OrderDoc) -> str:
    """«к приказу Управления образования от 25.05.2020 № 448-од» for appendix headers."""
    date_text = grammar.numeric_date(order.date) if order.date else "__.__.____"
    return f"к приказу от {date_text} {numbering.format_number(order.number, order.suffix)}"


def build_document(session: Session, order: OrderDoc) -> Document:
    """The order as a printable :class:`Document` (requisites as in seed 003 order № 448-од)."""
    d = order_data(order)
    doc = Document(
        kind="П Р И К А З",
        org_lines=org_lines(session),
        date_text=grammar.quoted_date(order.date) if order.date else "« ___ » __________ 20__ г.",
        number_text=numbering.format_number(order.number, order.suffix),
        place=settings.get(session, "place"),
        title=order.title,
        file_stem=f"Приказ {number_label(order)} {order.title[:60]}".strip(),
    )
    doc.approvals = approval_blocks(d.get("approvals"))
    if order.status == "cancelled":
        doc.body.append(
            Para([Run(f"ОТМЕНЁН: {order.cancel_note}", bold=True)], align="left", first_line_indent=False)
        )
    preamble = d["preamble"].strip()
    basis = [_basis_text(b) for b in d["basis"]]
    if basis and "{основания}" in preamble:
        preamble = preamble.replace("{основания}", ", ".join(basis))
    elif basis and not preamble:
        preamble = "В соответствии с " + ", ".join(basis) + ","
    if preamble:
        doc.body.append(Para(preamble, space_before=12))
    doc.body.append(
        Para([Run("ПРИКАЗЫВАЮ:", bold=True)], align="left", first_line_indent=False, space_before=6)
    )
    appendix_no = {i: n for n, i in enumerate([i for i, a in enumerate(d["appendices"])], start=1)}
    for num, it in _numbered(d["items"]):
        ap = appendix_no.get(it.get("appendix")) if it.get("appendix") is not None else None
        resp = responsible_text(session, it.get("responsible"))
        deadline = from_iso(it.get("deadline"))
        text = item_text(it.get("text") or "", ap, resp, grammar.numeric_date(deadline) if deadline else "")
        doc.body.append(Item(f"{num}.", text, level=num.count(".")))
    n_items = len(d["items"])
    doc.body.append(Item(f"{n_items + 1}.", control_sentence(session, d["control"])))
    doc.body.append(Spacer(24))
    doc.signatures.append(Signature(d["signatory_post"], initials_name(d["signatory_name"])))
    ex = d["executor"] or {}
    _p, ex_name, ex_post = person_ref(session, ex)
    if ex_name:
        doc.executor_lines = [f"Исполнитель: {ex_post}".rstrip(), ex_name]
        contacts = ", ".join(
            x for x in (f"тел. {ex['phone']}" if ex.get("phone") else "", ex.get("email", "")) if x
        )
        if contacts:
            doc.executor_lines.append(contacts)
    ref = order_reference(session, order)
    for n, a in enumerate(d["appendices"], start=1):
        doc.appendices.append(_appendix(a, n, ref))
    ack = d["acquaintance"]
    if ack:
        rows = [
            [
                str(i),
                a.get("name", ""),
                a.get("post", ""),
                grammar.numeric_date(from_iso(a.get("signed_on"))) if a.get("signed_on") else "",
                "",
            ]
            for i, a in enumerate(ack, start=1)
        ]
        doc.appendices.append(
            Appendix(
                "",
                "",
                f"Лист ознакомления с приказом от {grammar.numeric_date(order.date) if order.date else '__.__.____'} "
                f"{numbering.format_number(order.number, order.suffix)}",
                [Table(["№ п/п", "ФИО", "Должность", "Дата", "Подпись"], rows, widths=[1, 5, 5, 2.2, 2.2])],
            )
        )
    if order.qr and order.number is not None:
        doc.qr_text = f"Приказ {numbering.format_number(order.number, order.suffix)} от {grammar.numeric_date(order.date)}; {'; '.join(doc.org_lines)}"
    return doc


APPROVAL_KINDS = ("УТВЕРЖДАЮ", "СОГЛАСОВАНО", "РАССМОТРЕНО")


def approval_blocks(stored: list[dict] | None) -> list[ApprovalBlock]:
    """Stored approval marks → blocks: {kind, post_lines | post, name, date_text?, reference?}. A date left
    empty prints as «« ___ » __________ 20__ г.» to be filled in by hand."""
    out = []
    for a in stored or []:
        lines = a.get("post_lines") or [x for x in str(a.get("post", "")).split("\n") if x.strip()]
        block = ApprovalBlock(kind=a.get("kind", "УТВЕРЖДАЮ"), post_lines=list(lines), name=a.get("name", ""))
        if a.get("date_text"):
            block.date_text = a["date_text"]
        block.reference = a.get("reference", "")
        out.append(block)
    return out


def _basis_text(b: dict) -> str:
    """«приказом Департамента образования от 05.05.2020 № 123 «О …»» (kind in the instrumental case is the
    user's wording: the kind is written as entered)."""
    parts = [b.get("kind", ""), b.get("issuer", "")]
    d = from_iso(b.get("date"))
    if d:
        parts.append(f"от {grammar.numeric_date(d)}")
    if b.get("number"):
        parts.append(f"№ {b['number']}")
    if b.get("title"):
        parts.append(f"«{b['title'].strip('«»')}»")
    return " ".join(p for p in parts if p)


def _appendix(a: dict, n: int, ref: str) -> Appendix:
    blocks = []
    if a.get("text"):
        blocks += [Para(t) for t in a["text"].split("\n") if t.strip()]
    if a.get("headers"):
        blocks.append(
            Table(
                list(a["headers"]), [[str(c) for c in r] for r in a.get("rows", [])], widths=a.get("widths")
            )
        )
    return Appendix(f"Приложение {n}", ref, a.get("title", ""), blocks)


def person_choices(session: Session) -> list[tuple[int, str]]:
    """People for «responsible» and «executor» pickers: МОЦ staff (no school) first, then school staff."""
    q = select(Person.id, Person.last_name, Person.first_name, Person.middle_name, Person.school_id).where(
        Person.deleted_at.is_(None)
    )
    rows = [(pid, f"{ln} {fn} {mn}".strip(), sid) for pid, ln, fn, mn, sid in session.execute(q)]
    rows.sort(key=lambda r: (r[2] is not None, r[1]))
    return [(pid, name) for pid, name, _ in rows]
