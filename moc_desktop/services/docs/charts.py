"""Bar charts for analytical reports, drawn with Pillow (no matplotlib): PNG bytes for :class:`model.Image`.

The picture is made to be printed 16 cm wide (the text width of an A4 page with ГОСТ margins): at the default
1400 px that is about 220 dpi, so the sizes below are chosen in pixels to come out at 7–12 pt on paper. Labels are
set in the bundled Liberation Serif (Cyrillic), long category labels are wrapped (and shrunk if they must be),
values are written on the bars (turned upright when the bars are too narrow for them), a legend is shown when there
are several series. Colours come from the Okabe–Ito palette (distinguishable by colour-blind readers) in an order
whose lightness alternates, so neighbouring bars stay apart on a black-and-white printout too.

The output is deterministic: the same arguments give the same bytes (no timestamps; only fonts shipped with the
program are used).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from moc_desktop.services.docs.fonts import font_path

__all__ = ["bar_chart", "PALETTE", "format_number"]

PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # purple
    "#7F7F7F",  # grey
    "#F0E442",  # yellow
)
BACKGROUND = "#FFFFFF"
INK = "#000000"
GRID = "#C8C8C8"
OUTLINE = "#333333"
PRINT_WIDTH_CM = 16.0

# sizes in pixels at the default width of 1400 px (scaled with ``width_px``)
_BASE_WIDTH = 1400
_PAD = 24
# (1 pt at 16 cm ≈ 3.1 px): title 13 pt, labels 10 pt (at least 7.5), values 9 pt (at least 7.5)
_TITLE = 40
_LABEL = 31
_LABEL_MIN = 23
_VALUE = 28
_VALUE_MIN = 23
_SWATCH = 28
_MAX_CATEGORY_LINES = 4


@lru_cache(maxsize=64)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path("bold" if bold else "regular")), size)


def format_number(value: float, percent: bool = False) -> str:
    """Russian number: decimal comma, trailing zeros dropped; shares keep 3 decimals, percents 1 («95,2»)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    v = float(value)
    if percent:
        digits = 1
    elif v == int(v):
        digits = 0
    elif abs(v) < 1:
        digits = 3
    elif abs(v) < 10:
        digits = 2
    else:
        digits = 1
    text = f"{v:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",").replace("-", "−")


def _nice_step(span: float, ticks: int = 5, integer: bool = False) -> float:
    raw = span / max(ticks, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * mag
        if integer and step != int(step):  # counts: whole ticks only («2,5 школы» makes no sense)
            continue
        if raw <= step + 1e-12:
            return step
    return max(10 * mag, 1.0) if integer else 10 * mag


def _scale(values: list[float], percent: bool) -> tuple[float, float, float]:
    """(low, high, step) of the value axis: nice round numbers covering all values and zero; whole steps when
    all values are whole."""
    hi = max([0.0, *values])
    lo = min([0.0, *values])
    if hi == lo:
        hi = 100.0 if percent else 1.0
    step = _nice_step(hi - lo, integer=all(v == int(v) for v in values))
    high = math.ceil(hi / step - 1e-9) * step
    low = math.floor(lo / step + 1e-9) * step
    if percent and 0 <= lo and hi <= 100 and high > 100:
        high = 100.0
    return round(low, 10), round(high, 10), round(step, 10)


def _text_w(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text)


def _line_h(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return ascent + descent


def _break_word(word: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """A word too long for ``width``: split with hyphens."""
    parts, cur = [], ""
    for ch in word:
        if cur and _text_w(font, cur + ch + "-") > width:
            parts.append(cur + "-")
            cur = ch
        else:
            cur += ch
    parts.append(cur)
    return parts


NBSP = "\u00a0"


def _words(text: str) -> list[str]:
    """Words to wrap by: split at ordinary spaces only, so that «№ 1» (kept together) and non-breaking spaces
    stay on one line."""
    return [w for w in str(text).replace("№ ", "№" + NBSP).split(" ") if w]


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap by pixel width; words longer than the width are hyphenated."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        cur = ""
        for word in _words(para):
            cand = f"{cur} {word}" if cur else word
            if _text_w(font, cand) <= width:
                cur = cand
                continue
            if cur:
                lines.append(cur)
            if _text_w(font, word) <= width:
                cur = word
            else:
                *full, cur = _break_word(word, font, width)
                lines += full
        lines.append(cur)
    return lines or [""]


def _fits_unbroken(text: str, font: ImageFont.FreeTypeFont, width: float) -> bool:
    return all(_text_w(font, w) <= width for w in _words(text))


def _category_labels(categories: Sequence[str], width: float, size: int, min_size: int):
    """(font, wrapped lines per category): the largest size at which every word fits and no label needs more
    than four lines; at the smallest size longer labels are cut with «…»."""
    for s in range(size, min_size - 1, -1):
        font = _font(s)
        wrapped = [wrap(c, font, width) for c in categories]
        if all(_fits_unbroken(c, font, width) for c in categories) and all(
            len(w) <= _MAX_CATEGORY_LINES for w in wrapped
        ):
            return font, wrapped
    font = _font(min_size)
    out = []
    for c in categories:
        lines = wrap(c, font, width)
        if len(lines) > _MAX_CATEGORY_LINES:
            lines = lines[:_MAX_CATEGORY_LINES]
            last = lines[-1]
            while last and _text_w(font, last + "…") > width:
                last = last[:-1]
            lines[-1] = last.rstrip() + "…"
        out.append(lines)
    return font, out


def _rotated_text(text: str, font: ImageFont.FreeTypeFont, fill: str) -> Image.Image:
    """``text`` turned 90° counter-clockwise (read bottom to top), on a transparent background."""
    w = math.ceil(_text_w(font, text)) + 2
    h = _line_h(font) + 2
    tile = Image.new("RGBA", (w, h), (255, 255, 255, 0))
    ImageDraw.Draw(tile).text((1, 1), text, font=font, fill=fill)
    return tile.rotate(90, expand=True)


def _colour(colors: Sequence[str] | None, i: int) -> str:
    if colors and i < len(colors):
        return colors[i]
    return PALETTE[i % len(PALETTE)]


def bar_chart(
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    title: str,
    y_label: str = "",
    percent: bool = False,
    width_px: int = 1400,
    height_px: int = 700,
    colors: Sequence[str] | None = None,
) -> bytes:
    """A (grouped) bar chart as PNG bytes. ``colors`` (hex, one per series) override the palette — e.g. the level
    colours, so «критический» is red wherever it appears.

    ``categories`` are the groups along the horizontal axis; ``series`` maps a legend label to one value per
    category (``None`` = no value: no bar, «—» over the place). ``percent``: the values are percents (0–100);
    the axis is marked «%» and stops at 100 when the data allow. The PNG carries a resolution such that
    ``width_px`` covers 16 cm.
    """
    cats = [str(c) for c in categories]
    names = list(series)
    data = [[None if v is None else float(v) for v in series[n]] for n in names]
    for name, vals in zip(names, data, strict=True):
        if len(vals) != len(cats):
            raise ValueError(f"Ряд «{name}»: {len(vals)} значений, а категорий {len(cats)}.")
    k = width_px / _BASE_WIDTH

    def px(v: float) -> int:
        return max(1, round(v * k))

    img = Image.new("RGB", (width_px, height_px), BACKGROUND)
    draw = ImageDraw.Draw(img)
    pad = px(_PAD)

    # title ------------------------------------------------------------------------------------------------
    y = pad
    if title:
        tfont = _font(px(_TITLE), bold=True)
        for line in wrap(title, tfont, width_px - 2 * pad)[:2]:
            draw.text((width_px / 2, y), line, font=tfont, fill=INK, anchor="ma")
            y += round(_line_h(tfont) * 1.05)
        y += px(8)

    # legend -----------------------------------------------------------------------------------------------
    lfont = _font(px(_LABEL))
    if len(names) > 1:
        sw, gap, item_gap = px(_SWATCH), px(10), px(36)
        items = [(n, sw + gap + _text_w(lfont, n)) for n in names]
        rows: list[list[tuple[int, str, float]]] = [[]]
        row_w = 0.0
        avail = width_px - 2 * pad
        for i, (n, w) in enumerate(items):
            extra = w + (item_gap if rows[-1] else 0)
            if rows[-1] and row_w + extra > avail:
                rows.append([])
                row_w, extra = 0.0, w
            rows[-1].append((i, n, w))
            row_w += extra
        lh = max(_line_h(lfont), sw) + px(6)
        for row in rows:
            total = sum(w for _i, _n, w in row) + item_gap * (len(row) - 1)
            x = (width_px - total) / 2
            for i, n, w in row:
                top = y + (lh - sw) / 2
                draw.rectangle([x, top, x + sw, top + sw], fill=_colour(colors, i), outline=OUTLINE, width=1)
                draw.text((x + sw + gap, y + lh / 2), n, font=lfont, fill=INK, anchor="lm")
                x += w + item_gap
            y += lh
        y += px(8)

    values = [v for vals in data for v in vals if v is not None]
    if not cats or not values:
        draw.text(
            (width_px / 2, (y + height_px) / 2), "Нет данных", font=_font(px(_TITLE)), fill=GRID, anchor="mm"
        )
        return _png(img, width_px)

    # value axis -------------------------------------------------------------------------------------------
    low, high, step = _scale(values, percent)
    ticks = []
    t = low
    while t <= high + step * 1e-6:
        ticks.append(round(t, 10))
        t += step
    tfont_axis = _font(px(_LABEL - 2))

    def tick_text(v: float) -> str:
        return format_number(v) + (" %" if percent else "")

    left = pad
    if y_label:
        ylab = _rotated_text(y_label, tfont_axis, INK)
        left += ylab.width + px(10)
    tick_w = max(_text_w(tfont_axis, tick_text(v)) for v in ticks)
    plot_l = left + math.ceil(tick_w) + px(12)
    plot_r = width_px - pad
    plot_w = plot_r - plot_l
    n_cat, n_ser = len(cats), max(len(names), 1)
    slot = plot_w / n_cat

    # category labels (they decide the bottom margin)
    cfont, clines = _category_labels(cats, slot - px(10), px(_LABEL), px(_LABEL_MIN))
    clh = round(_line_h(cfont) * 1.02)
    bottom_h = px(10) + clh * max(len(lines) for lines in clines) + pad
    plot_b = height_px - bottom_h

    # bars and their value labels
    group_w = slot * (0.8 if n_ser > 1 else 0.6)
    bar_w = group_w / n_ser
    vsize = px(_VALUE)
    labels = [[format_number(v, percent) if v is not None else "—" for v in vals] for vals in data]
    room = (bar_w if n_ser > 1 else slot) - px(4)  # a label may be as wide as its bar (or its slot if alone)
    widest = max(_text_w(_font(vsize), s) for row in labels for s in row)
    while vsize > px(_VALUE_MIN) and widest > room:
        vsize -= 1
        widest = max(_text_w(_font(vsize), s) for row in labels for s in row)
    vfont = _font(vsize)
    upright = widest > room  # does not fit across the bar even at the smallest size: turn it
    headroom = (math.ceil(widest) if upright else _line_h(vfont)) + px(8)
    plot_t = y + headroom
    if plot_b - plot_t < px(120):  # a very small picture: give the plot what there is
        plot_t = max(y, plot_b - px(120))

    def ypos(v: float) -> float:
        return plot_b - (v - low) / (high - low) * (plot_b - plot_t)

    # grid and tick labels
    for v in ticks:
        yy = round(ypos(v))
        draw.line([(plot_l, yy), (plot_r, yy)], fill=GRID, width=px(2))
        draw.text((plot_l - px(10), yy), tick_text(v), font=tfont_axis, fill=INK, anchor="rm")
    if y_label:
        img.paste(ylab, (pad, round((plot_t + plot_b) / 2 - ylab.height / 2)), ylab)

    zero = ypos(0.0) if low <= 0 <= high else plot_b
    for ci in range(n_cat):
        gx = plot_l + slot * ci + (slot - group_w) / 2
        for si, vals in enumerate(data):
            v = vals[ci]
            x0 = gx + bar_w * si
            x1 = x0 + bar_w
            inset = px(2) if n_ser > 1 else 0
            colour = _colour(colors, si)
            text = labels[si][ci]
            cx = (x0 + x1) / 2
            if v is None:
                draw.text((cx, zero - px(4)), text, font=vfont, fill=INK, anchor="md")
                continue
            top, bottom = sorted((ypos(v), zero))
            if bottom - top >= 1:
                draw.rectangle(
                    [round(x0 + inset), round(top), round(x1 - inset) - 1, round(bottom)],
                    fill=colour,
                    outline=OUTLINE,
                    width=1,
                )
            above = top if v >= 0 else bottom
            if upright:
                tile = _rotated_text(text, vfont, INK)
                ty = round(above - px(5) - tile.height) if v >= 0 else round(above + px(5))
                img.paste(tile, (round(cx - tile.width / 2), ty), tile)
            elif v >= 0:
                draw.text((cx, above - px(4)), text, font=vfont, fill=INK, anchor="md")
            else:
                draw.text((cx, above + px(4)), text, font=vfont, fill=INK, anchor="ma")

    # axes
    draw.line([(plot_l, plot_t), (plot_l, plot_b)], fill=INK, width=px(2))
    draw.line([(plot_l, round(zero)), (plot_r, round(zero))], fill=INK, width=px(2))

    # category labels
    for ci, lines in enumerate(clines):
        cx = plot_l + slot * (ci + 0.5)
        ly = plot_b + px(10)
        for line in lines:
            draw.text((cx, ly), line, font=cfont, fill=INK, anchor="ma")
            ly += clh
    return _png(img, width_px)


def _png(img: Image.Image, width_px: int) -> bytes:
    dpi = round(width_px / (PRINT_WIDTH_CM / 2.54))
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()
