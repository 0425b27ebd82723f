"""Installation settings: the МОЦ's identity used on every document (DOMAIN «Documents», seed 003 order 448-од)."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from moc_desktop.db.models import Setting

#: key → (label, example). Keys are the public names used by ``moc-desktop-cli settings set KEY VALUE``.
SETTINGS: dict[str, tuple[str, str]] = {
    "moc_name": ("Наименование МОЦ", "МКУ «Центр развития образования Октябрьского района»"),
    "municipality": ("Муниципалитет", "Октябрьский район"),
    "region": ("Регион", "Ханты-Мансийский автономный округ – Югра"),
    "uo_full_name": (
        "Полное наименование Управления образования",
        "Управление образования и молодежной политики администрации Октябрьского района",
    ),
    "uo_head_post": (
        "Должность руководителя Управления образования",
        "Начальник Управления образования и молодежной политики",
    ),
    "uo_head_name": ("ФИО руководителя Управления образования", "Т.Б. Киселева"),
    "place": ("Место издания документов", "п.г.т. Октябрьское"),
    "order_suffix": ("Суффикс номера приказа", "-од"),
}
REQUIRED = ("moc_name", "municipality", "region", "uo_full_name")


class UnknownSetting(KeyError):
    pass


def get(session: Session, key: str, default: str = "") -> str:
    row = session.get(Setting, key)
    return row.value if row is not None else default


def set_value(session: Session, key: str, value: str) -> None:
    """Set a public setting. Raises ``UnknownSetting`` with the list of known keys."""
    if key not in SETTINGS:
        raise UnknownSetting(key)
    put_local(session, key, value.strip())


def put_local(session: Session, key: str, value: str) -> None:
    """Set an installation-local value that is not one of the public :data:`SETTINGS` (login options, remembered
    choices)."""
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def all_values(session: Session) -> dict[str, str]:
    return {k: get(session, k) for k in SETTINGS}


def is_configured(session: Session) -> bool:
    """The first-run wizard is shown until the required identity is filled in."""
    return all(get(session, k) for k in REQUIRED)


def validate(values: dict[str, str]) -> dict[str, str]:
    errors = {}
    for k in REQUIRED:
        if not (values.get(k) or "").strip():
            errors[k] = f"Заполните поле «{SETTINGS[k][0]}»."
    suffix = (values.get("order_suffix") or "").strip()
    if suffix and (" " in suffix or len(suffix) > 10):
        errors["order_suffix"] = "Суффикс — короткий, без пробелов, например «-од»."
    return errors


def get_json(session: Session, key: str, default=None):
    """Installation-local structured values (e.g. remembered column mappings of imports)."""
    raw = get(session, key)
    if not raw:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return default


def put_json(session: Session, key: str, value) -> None:
    put_local(session, key, json.dumps(value, ensure_ascii=False))
