"""All paths of the installation live here (one module owns them).

The user data folder comes from platformdirs; ``MOC_DESKTOP_HOME`` overrides it (tests, portable installs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_DIR_NAME = "moc-desktop"
DB_FILE_NAME = "moc.sqlite3"
RESOURCES = Path(__file__).resolve().parent / "resources"


@dataclass(frozen=True)
class Paths:
    data_dir: Path

    @property
    def default_db(self) -> Path:
        return self.data_dir / DB_FILE_NAME

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def templates_dir(self) -> Path:
        """User overrides of document templates."""
        return self.data_dir / "templates"

    def ensure(self) -> Paths:
        for d in (self.data_dir, self.backups_dir, self.logs_dir):
            d.mkdir(parents=True, exist_ok=True)
        return self


def paths() -> Paths:
    home = os.environ.get("MOC_DESKTOP_HOME")
    if home:
        return Paths(Path(home))
    import platformdirs

    return Paths(Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)))


def db_url(value: str | None) -> str:
    """Turn ``--db`` (a path or any SQLAlchemy URL) into a URL; default is the file in the data folder."""
    if not value:
        return f"sqlite:///{paths().ensure().default_db}"
    if "://" in value:
        return value
    p = Path(value).expanduser().resolve()
    p.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{p}"
