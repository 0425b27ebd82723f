"""Document templates: built-in ones in ``resources/templates/``, a user's edited copies in the data folder.

The user copies a template («Изменить шаблон»), edits it in Word (layout, fonts, wording around the fields) and the
program uses the copy from then on; «Вернуть встроенный» removes it (the copy is kept as .bak).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from moc_desktop import config

KINDS = {"order": "Приказ", "protocol": "Протокол", "report": "Аналитическая справка"}
BUILTIN_DIR = config.RESOURCES / "templates"

#: Fields a template may use, with what they hold (shown to users who edit templates).
PLACEHOLDERS = {
    "org_top": "строки наименования организации над основной (например, «Администрация … района»)",
    "org_main": "основная строка наименования организации (прописными)",
    "kind": "вид документа («П Р И К А З», «ПРОТОКОЛ»)",
    "date_text": "дата документа",
    "number_text": "регистрационный номер («№ 448-од»)",
    "place": "место издания («п.г.т. Октябрьское»)",
    "title": "заголовок к тексту",
    "approvals": "грифы УТВЕРЖДАЮ / СОГЛАСОВАНО (вставка {{p approvals }})",
    "body": "текст документа (вставка {{p body }})",
    "signatures": "подписи (вставка {{p signatures }})",
    "executor": "отметка об исполнителе (вставка {{p executor }})",
    "appendices": "приложения, каждое с новой страницы (вставка {{p appendices }})",
    "qr": "QR-код (номер, дата, организация) — в нижнем колонтитуле первой страницы",
}


def builtin_template(kind: str) -> Path:
    path = BUILTIN_DIR / f"{kind}.docx"
    if not path.exists():  # a source checkout without generated templates
        from moc_desktop.services.docs.docx_render import make_template

        make_template(kind, path)
    return path


def user_template(kind: str) -> Path:
    return config.paths().templates_dir / f"{kind}.docx"


def active_template(kind: str) -> tuple[Path, bool]:
    """(path, is the user's copy)."""
    if kind not in KINDS:
        raise KeyError(kind)
    user = user_template(kind)
    if user.exists():
        return user, True
    return builtin_template(kind), False


def copy_for_editing(kind: str) -> Path:
    """Copy the built-in template to the user's folder (if not there yet) and return the copy's path."""
    user = user_template(kind)
    if not user.exists():
        user.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(builtin_template(kind), user)
    return user


def reset_to_builtin(kind: str) -> Path | None:
    """Stop using the user's copy; it is renamed to .bak. Returns the .bak path or None."""
    user = user_template(kind)
    if not user.exists():
        return None
    bak = user.with_suffix(".docx.bak")
    if bak.exists():
        bak.unlink()
    user.rename(bak)
    return bak
