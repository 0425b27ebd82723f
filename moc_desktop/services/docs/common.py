"""Shared pieces of document builders: JSON parts, people references, settings-derived requisites."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from moc_desktop.db.models import Person
from moc_desktop.services import settings


def load(text: str | None, default):
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(v):
    if isinstance(v, date):
        return v.isoformat()
    raise TypeError(f"not JSON: {v!r}")


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def from_iso(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def org_lines(session: Session) -> list[str]:
    """Organisation block: the municipality's administration, then the education authority in capitals (seed 003:
    «Администрация Октябрьского района» / «УПРАВЛЕНИЕ ОБРАЗОВАНИЯ И МОЛОДЕЖНОЙ ПОЛИТИКИ»)."""
    v = settings.all_values(session)
    lines = []
    if v["municipality"]:
        lines.append(f"Администрация {_genitive_municipality(v['municipality'])}")
    uo = v["uo_full_name"]
    if uo:
        # «Управление образования … администрации Октябрьского района» → the part before «администрации»
        head = uo.split(" администрации ")[0]
        lines.append(head.upper())
    return lines or [v["moc_name"]]


def _genitive_municipality(name: str) -> str:
    """«Октябрьский район» → «Октябрьского района»; anything unusual is returned as is."""
    from moc_desktop.services.docs import grammar

    words = name.split()
    if len(words) == 2 and words[1].lower() in ("район", "округ"):
        try:
            return grammar.decline_post(name, "gen")
        except Exception:  # grammar is best effort here; the name stays readable
            return name
    return name


def moc_lines(session: Session) -> list[str]:
    """Organisation block of the МОЦ itself (protocols of its councils)."""
    v = settings.all_values(session)
    return [x for x in (v["moc_name"],) if x]


def person_ref(session: Session, ref: dict | None) -> tuple[Person | None, str, str]:
    """A reference {person_id?, name?, post?} → (person or None, full name, post for documents)."""
    ref = ref or {}
    p = session.get(Person, ref["person_id"]) if ref.get("person_id") else None
    if p is not None:
        name = " ".join(x for x in (p.last_name, p.first_name, p.middle_name) if x)
        post = ref.get("post") or p.doc_post or (p.positions.split(";")[0].strip() if p.positions else "")
        return p, name, post
    return None, (ref.get("name") or "").strip(), (ref.get("post") or "").strip()


def initials_name(full_name: str, initials_first: bool = True) -> str:
    """«Киселева Татьяна Борисовна» → «Т.Б. Киселева» (signature form) or «Киселева Т.Б.»; already short → as is."""
    parts = full_name.split()
    if len(parts) < 2 or any(p.endswith(".") for p in parts):
        return full_name
    last, rest = parts[0], parts[1:]
    init = "".join(f"{p[0]}." for p in rest[:2])
    return f"{init} {last}" if initials_first else f"{last} {init}"
