"""MkDocs hook: English pages are the unsuffixed files although Chinese is the default language.

mkdocs-static-i18n treats a page without a language suffix as the default language's, and
the default language is the one built at the site root. This project wants both: Simplified
Chinese at the root (its readers are Chinese municipal teams) and English in the plain
``docs/<page>.md`` files it has always had, with Chinese beside them as ``docs/<page>.zh.md``.

The plugin reads each file's language from ``suffix.create_i18n_file``; this hook wraps it so
that a plain ``<page>.md`` whose ``<page>.zh.md`` twin exists counts as English. A plain page
without a twin keeps the default language, so the Chinese site shows the English page rather
than a hole (tests/test_docs_i18n.py fails for such a page, so it does not last).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs_static_i18n import suffix

ENGLISH = "en"
_original = suffix.create_i18n_file


def _twin_exists(file: Any, docs_dir: str) -> bool:
    src = Path(file.src_path)
    return (Path(docs_dir) / src.with_name(f"{src.stem}.zh{src.suffix}")).is_file()


def create_i18n_file(
    file: Any, current_language: str, default_language: str, all_languages: list[str], config: Any
) -> Any:
    """The plugin's own function, then: a plain page with a Chinese twin is English."""
    i18n_file = _original(file, current_language, default_language, all_languages, config)
    if (
        i18n_file.localization is None
        and i18n_file.is_documentation_page()
        and _twin_exists(i18n_file, config.docs_dir)
    ):
        i18n_file.locale = ENGLISH
    return i18n_file


suffix.create_i18n_file = create_i18n_file
