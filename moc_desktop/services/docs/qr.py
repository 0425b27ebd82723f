"""The QR requisite of ГОСТ Р 7.0.97-2025 as PNG bytes (segno, error correction level M)."""

from __future__ import annotations

import io

import segno


def qr_png(text: str, scale: int = 4) -> bytes:
    """PNG of a QR code holding ``text`` (UTF-8), ``scale`` pixels per module, with the standard 4-module border."""
    if not text:
        raise ValueError("Пустой текст для QR-кода")
    code = segno.make(text, error="m", boost_error=False, micro=False)
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()
