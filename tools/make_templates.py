"""Regenerate the built-in document templates in moc_desktop/resources/templates/ (commit the result)."""

from __future__ import annotations

from moc_desktop.services.docs import templates
from moc_desktop.services.docs.docx_render import make_template


def main() -> None:
    for kind in templates.KINDS:
        path = make_template(kind, templates.BUILTIN_DIR / f"{kind}.docx")
        print(f"{templates.KINDS[kind]}: {path}")


if __name__ == "__main__":
    main()
