"""The bundled document font: Liberation Serif (SIL OFL 1.1), metric-compatible with Times New Roman.

The TTFs live in ``moc_desktop/resources/fonts``; :func:`register_reportlab_fonts` makes them known to reportlab
under :data:`FONT_FAMILY` with the bold/italic mapping, so ``<b>``/``<i>`` in platypus paragraphs pick the right face.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from moc_desktop.config import RESOURCES

FONT_FAMILY = "Liberation Serif"
FONTS_DIR = RESOURCES / "fonts"

Style = Literal["regular", "bold", "italic", "bolditalic"]

_FILES: dict[str, str] = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bolditalic": "LiberationSerif-BoldItalic.ttf",
}

#: reportlab face names of the family, by style
FACES: dict[str, str] = {
    "regular": FONT_FAMILY,
    "bold": f"{FONT_FAMILY} Bold",
    "italic": f"{FONT_FAMILY} Italic",
    "bolditalic": f"{FONT_FAMILY} BoldItalic",
}

_registered = False


def _style_key(style: str) -> str:
    key = style.lower().replace("-", "").replace("_", "").replace(" ", "")
    if key in ("", "normal", "roman"):
        key = "regular"
    if key == "italicbold":
        key = "bolditalic"
    if key not in _FILES:
        raise ValueError(f"Неизвестное начертание шрифта: {style!r}")
    return key


def font_path(style: str = "regular") -> Path:
    """Path of the TTF of one style: ``regular``, ``bold``, ``italic`` or ``bolditalic``."""
    return FONTS_DIR / _FILES[_style_key(style)]


def face(bold: bool = False, italic: bool = False) -> str:
    """The reportlab face name for the given bold/italic combination."""
    return FACES[("bold" if bold else "") + ("italic" if italic else "") or "regular"]


def register_reportlab_fonts() -> str:
    """Register the four faces and the family with reportlab (once per process); returns :data:`FONT_FAMILY`."""
    global _registered
    if _registered:
        return FONT_FAMILY
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for style, name in FACES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(font_path(style))))
    pdfmetrics.registerFontFamily(
        FONT_FAMILY,
        normal=FACES["regular"],
        bold=FACES["bold"],
        italic=FACES["italic"],
        boldItalic=FACES["bolditalic"],
    )
    _registered = True
    return FONT_FAMILY
