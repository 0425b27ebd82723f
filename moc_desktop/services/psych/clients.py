"""The code ↔ person table of the psychologist (optional): who stands behind a pseudonymous client code.

The journal names clients by code only (DOMAIN «Psychologist»: «a pupil is identified by a code, not by name»).
If the psychologist keeps the table, the name, birth date, class, contacts and note of a client are stored as one
encrypted JSON document (``PsychClient.secret``, AES-GCM bound to the record's uuid and the field «secret»); the
code, category and school stay plain. Only the role «педагог-психолог» with the journal key reads or writes it.
"""

from __future__ import annotations

import json
import re
import uuid as uuid_mod
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.changes import write_audit
from moc_desktop.db.models import PsychClient, PsychSession, utcnow
from moc_desktop.services import vault
from moc_desktop.services.auth import Principal
from moc_desktop.services.common import ValidationError
from moc_desktop.services.psych.journal import CATEGORIES, JournalError, journal_cipher, normalize_code

#: Category → letter of the code: «О-0001» обучающийся, «Р-0001» родитель, «П-0001» педагог, «А-0001» администрация.
CODE_PREFIXES: dict[str, str] = {"pupil": "О", "parent": "Р", "teacher": "П", "admin": "А"}
CODE_DIGITS = 4
_SECRET_FIELDS = ("full_name", "birth_date", "class_name", "contacts", "note")


@dataclass
class ClientData:
    code: str
    category: str = "pupil"
    school_id: int | None = None
    full_name: str = ""
    birth_date: date | None = None
    class_name: str = ""
    contacts: str = ""
    note: str = ""
    uuid: str | None = None


def next_code(session: Session, category: str) -> str:
    """The next free code of ``category``: its letter, a dash and a 4-digit number one above the greatest number
    already used by that letter in the client table or in the journal (deleted records included, so a code is
    never given twice)."""
    if category not in CODE_PREFIXES:
        raise ValidationError({"category": "Выберите категорию клиента из списка."})
    prefix = CODE_PREFIXES[category] + "-"
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    codes = set(session.scalars(select(PsychClient.code).where(PsychClient.code.like(prefix + "%"))))
    codes |= set(
        session.scalars(
            select(PsychSession.client_code).where(PsychSession.client_code.like(prefix + "%")).distinct()
        )
    )
    used = [int(m.group(1)) for c in codes if (m := pattern.match(c))]
    return f"{prefix}{(max(used, default=0) + 1):0{CODE_DIGITS}d}"


def validate_client(data: ClientData) -> dict[str, str]:
    """Field → Russian message: a code (up to 32 characters) and a known category are required."""
    errors: dict[str, str] = {}
    code = normalize_code(data.code)
    if not code:
        errors["code"] = "Укажите код клиента."
    elif len(code) > 32:
        errors["code"] = "Код клиента — не длиннее 32 символов."
    if data.category not in CATEGORIES:
        errors["category"] = "Выберите категорию клиента из списка."
    if data.birth_date is not None and data.birth_date > date.today():
        errors["birth_date"] = "Дата рождения не может быть в будущем."
    return errors


def _encrypt(cipher: vault.FieldCipher, data: ClientData, uuid: str) -> bytes | None:
    doc = {
        "full_name": " ".join(data.full_name.split()),
        "birth_date": data.birth_date.isoformat() if data.birth_date else "",
        "class_name": data.class_name.strip(),
        "contacts": data.contacts.strip(),
        "note": data.note.strip(),
    }
    if not any(doc.values()):
        return None
    return cipher.encrypt(json.dumps(doc, ensure_ascii=False), uuid, "secret")


def _decrypt(cipher: vault.FieldCipher, row: PsychClient) -> ClientData:
    try:
        text = cipher.decrypt(row.secret, row.uuid, "secret")
    except vault.WrongKey as exc:
        raise JournalError(
            f"Карточка клиента {row.code} повреждена или изменена вне программы: её не удаётся расшифровать."
        ) from exc
    doc = json.loads(text) if text else {}
    birth = doc.get("birth_date") or ""
    return ClientData(
        code=row.code,
        category=row.category,
        school_id=row.school_id,
        full_name=doc.get("full_name", ""),
        birth_date=date.fromisoformat(birth) if birth else None,
        class_name=doc.get("class_name", ""),
        contacts=doc.get("contacts", ""),
        note=doc.get("note", ""),
        uuid=row.uuid,
    )


def _live(session: Session, code: str) -> PsychClient:
    row = session.scalar(
        select(PsychClient).where(PsychClient.code == normalize_code(code), PsychClient.deleted_at.is_(None))
    )
    if row is None:
        raise LookupError(f"Клиент с кодом «{normalize_code(code)}» не найден.")
    return row


def save_client(session: Session, user: Principal, data: ClientData) -> str:
    """Create or update a client (by ``data.uuid``); returns the uuid. The code is unique (a deleted client's
    code may be reused only by restoring that client). The personal data are stored encrypted."""
    cipher = journal_cipher(user)
    errors = validate_client(data)
    code = normalize_code(data.code)
    if not errors:
        other = session.scalar(select(PsychClient).where(PsychClient.code == code))
        if other is not None and other.uuid != data.uuid:
            if other.deleted_at is None or data.uuid:
                errors["code"] = f"Код «{code}» уже занят другим клиентом."
    if errors:
        raise ValidationError(errors)
    if data.uuid:
        row = session.scalar(select(PsychClient).where(PsychClient.uuid == data.uuid))
        if row is None:
            raise LookupError("Карточка клиента не найдена.")
    else:
        row = session.scalar(select(PsychClient).where(PsychClient.code == code))  # a deleted one: restore
        if row is None:
            row = PsychClient(uuid=str(uuid_mod.uuid4()))
            session.add(row)
        row.deleted_at = None
    row.code = code
    row.category = data.category
    row.school_id = data.school_id
    old = _decrypt(cipher, row) if row.secret else None
    new = ClientData(**{**data.__dict__, "uuid": row.uuid})
    if old is None or any(getattr(old, f) != getattr(new, f) for f in _SECRET_FIELDS):
        row.secret = _encrypt(cipher, new, row.uuid)
    session.flush()
    data.uuid = row.uuid
    return row.uuid


def open_client(session: Session, user: Principal, code: str) -> ClientData:
    """The decrypted client card; the opening is written to the audit log."""
    cipher = journal_cipher(user)
    row = _live(session, code)
    data = _decrypt(cipher, row)
    write_audit(session, "open", "psych_client", row.code, "карточка клиента")
    return data


def list_clients(session: Session, user: Principal) -> list[ClientData]:
    """All live clients, decrypted, ordered by code (the psychologist's code table)."""
    cipher = journal_cipher(user)
    rows = session.scalars(
        select(PsychClient).where(PsychClient.deleted_at.is_(None)).order_by(PsychClient.code)
    )
    result = [_decrypt(cipher, row) for row in rows]
    write_audit(session, "open", "psych_client", "", f"таблица кодов клиентов: {len(result)}")
    return result


def delete_client(session: Session, user: Principal, code: str) -> None:
    """Soft delete of the card; journal entries keep the code."""
    journal_cipher(user)
    _live(session, code).deleted_at = utcnow()
    session.flush()
