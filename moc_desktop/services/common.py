"""Small shared rules: school years, dates, names, validation errors."""

from __future__ import annotations

import re
from datetime import date, datetime

_YEAR_RE = re.compile(r"^\s*(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})\s*$")


class ValidationError(Exception):
    """Field → Russian message. Raised by ``save_*`` functions; the GUI shows each message next to its field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def school_year_of(d: date) -> str:
    """School year containing ``d``: it starts on 1 September («2025/2026» for 01.09.2025–31.08.2026)."""
    start = d.year if d.month >= 9 else d.year - 1
    return f"{start}/{start + 1}"


def current_school_year(today: date | None = None) -> str:
    return school_year_of(today or date.today())


def previous_school_years(year: str, n: int) -> list[str]:
    """``n`` school years ending with ``year``, oldest first."""
    start = int(year[:4])
    return [f"{y}/{y + 1}" for y in range(start - n + 1, start + 1)]


def normalize_school_year(text: str) -> str | None:
    """«2024/2025», «2024-2025», «2024/25» → «2024/2025»; anything else → None."""
    m = _YEAR_RE.match(text or "")
    if not m:
        return None
    a, b = int(m.group(1)), m.group(2)
    b_full = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
    if b_full != a + 1:
        return None
    return f"{a}/{b_full}"


def parse_date(value) -> date | None:
    """A date from an Excel cell or text «дд.мм.гггг» (also «гггг-мм-дд»). Empty → None; bad → ValueError."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"«{text}» — не дата (ожидается дд.мм.гггг)")


def format_date(d: date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


def short_fio(last: str, first: str, middle: str = "") -> str:
    """«Фамилия И.О.» as in lists (DESIGN «UI»)."""
    initials = "".join(f"{p[0]}." for p in (first, middle) if p)
    return f"{last} {initials}".strip()


def full_fio(last: str, first: str, middle: str = "") -> str:
    return " ".join(p for p in (last, first, middle) if p)


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(text: str) -> bool:
    return bool(_EMAIL_RE.match(text.strip()))


_FOLD = str.maketrans({"ё": "е", "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "'": '"'})


def fold(text: str) -> str:
    """Key for tolerant matching: lower case, «ё»→«е», spaces collapsed, quotes unified."""
    return " ".join((text or "").lower().translate(_FOLD).split())
