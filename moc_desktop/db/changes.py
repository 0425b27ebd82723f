"""Change log (outbox) and audit log, both written in the flush that makes the change.

* Every insert/update/soft-delete of a shared record writes a ``change_log`` row in the same transaction. Sync and
  «what changed since» read it, ordered by ``seq`` — never by wall-clock time.
* Every insert/update/delete of any record (except the logs themselves and counters) writes ``audit_log`` rows:
  one «create»/«delete» row per record, one «update» row per changed field with old → new. A column marked
  ``info={"confidential": True}`` is logged as «изменено» without its values. Who: ``session.info["actor_login"]``
  and ``["actor_name"]`` (set on the session factory after login, ``services.auth.bind_actor``); a session with
  ``info["audit"] = False`` (demo generation) writes no audit rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from moc_desktop.db.models import AuditLog, ChangeLog, Synced, new_uuid, utcnow

#: Tables whose changes are not audited: the logs themselves and technical counters.
AUDIT_SKIP = frozenset({"change_log", "audit_log", "doc_counter"})
#: Columns that change with every write and say nothing to a reader of the audit log.
_AUDIT_QUIET = frozenset(
    {
        "id",
        "uuid",
        "created_at",
        "updated_at",
        "version",
        "origin",
        "last_login_at",
        "failed_attempts",
        "locked_until",
    }
)
_MAX_VALUE = 500
CHANGED = "изменено"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime):  # stored in UTC; the log is read in local time
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone().strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bytes):
        return CHANGED
    text = str(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def record_key(obj) -> str:
    """How the audit log names a record: its uuid, or its primary key for tables without one."""
    uuid = getattr(obj, "uuid", None)
    if uuid:
        return str(uuid)
    identity = inspect(obj).identity
    if identity:
        return "/".join(str(v) for v in identity)
    pk = [getattr(obj, c.key, None) for c in inspect(obj).mapper.primary_key]
    return "/".join(str(v) for v in pk if v is not None)


def _audit_rows(session: Session, now) -> list[AuditLog]:
    who = {"user_login": session.info.get("actor_login", ""), "user_name": session.info.get("actor_name", "")}
    rows: list[AuditLog] = []

    def row(action: str, obj, **kw) -> None:
        rows.append(
            AuditLog(
                at=now, action=action, entity=obj.__tablename__, record_uuid=record_key(obj), **who, **kw
            )
        )

    for obj in list(session.new):
        if getattr(obj, "__tablename__", None) not in AUDIT_SKIP:
            if hasattr(obj, "uuid") and not obj.uuid:
                obj.uuid = new_uuid()
            row("create", obj)
    for obj in list(session.dirty):
        if obj.__tablename__ in AUDIT_SKIP or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if attr.key in _AUDIT_QUIET:
                continue
            hist = state.attrs[attr.key].history
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
            action = "delete" if attr.key == "deleted_at" and new is not None else "update"
            if action == "update" and attr.key == "deleted_at":
                action = "restore"
            if any(c.info.get("confidential") for c in attr.columns):
                row(action, obj, field=attr.key, note=CHANGED)
            else:
                row(action, obj, field=attr.key, old_value=_text(old), new_value=_text(new))
    for obj in list(session.deleted):
        if obj.__tablename__ not in AUDIT_SKIP:
            row("delete", obj, note="удалено безвозвратно")
    return rows


def write_audit(
    session: Session, action: str, entity: str = "", record: str = "", note: str = ""
) -> AuditLog:
    """Add one audit row that is not a data change (login, opening a confidential record, an export …)."""
    entry = AuditLog(
        at=utcnow(),
        user_login=session.info.get("actor_login", ""),
        user_name=session.info.get("actor_name", ""),
        action=action,
        entity=entity,
        record_uuid=record,
        note=note,
    )
    session.add(entry)
    return entry


_installed = False


def _before_flush(session: Session, flush_context, instances) -> None:  # noqa: ARG001
    origin = session.info.get("origin", "")
    now = utcnow()
    entries: list[ChangeLog] = []
    for obj in list(session.new):
        if isinstance(obj, Synced):
            if not obj.uuid:
                obj.uuid = new_uuid()
            obj.version = 1
            obj.created_at = obj.created_at or now
            obj.updated_at = now
            if not obj.origin:
                obj.origin = origin
            entries.append(
                ChangeLog(table_name=obj.__tablename__, record_uuid=obj.uuid, op="insert", version=1, at=now)
            )
    for obj in list(session.dirty):
        if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False):
            if session.info.get("sync_apply"):
                continue  # records applied from a package keep their version
            obj.version = (obj.version or 0) + 1
            obj.updated_at = now
            op = "delete" if obj.deleted_at is not None else "update"
            entries.append(
                ChangeLog(
                    table_name=obj.__tablename__, record_uuid=obj.uuid, op=op, version=obj.version, at=now
                )
            )
    for obj in list(session.deleted):
        if isinstance(obj, Synced):
            entries.append(
                ChangeLog(
                    table_name=obj.__tablename__,
                    record_uuid=obj.uuid,
                    op="delete",
                    version=(obj.version or 0) + 1,
                    at=now,
                )
            )
    if session.info.get("audit", True):
        audit = _audit_rows(session, now)
        if audit:
            session.add_all(audit)
    if entries:
        session.add_all(entries)


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        _installed = True
