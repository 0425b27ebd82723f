"""Change log (outbox): every insert/update/soft-delete of a shared record writes a ``change_log`` row in the same
transaction. Sync, audit and «what changed since» read it, ordered by ``seq`` — never by wall-clock time."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from moc_desktop.db.models import ChangeLog, Synced, new_uuid, utcnow

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
    if entries:
        session.add_all(entries)


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        _installed = True
