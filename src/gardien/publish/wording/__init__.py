"""The notice's and the record's words, one module per language."""

from __future__ import annotations

from gardien.errors import UsageError
from gardien.publish.wording.base import Wording, pick
from gardien.publish.wording.en import English
from gardien.publish.wording.fr import French

_WORDINGS: dict[str, type[Wording]] = {"fr": French, "en": English}

SUPPORTED_LANGUAGES = tuple(_WORDINGS)


def wording_for(lang: str) -> Wording:
    """The wording of ``lang``; a language gardien cannot write in is a usage error."""
    if lang not in _WORDINGS:
        raise UsageError(
            f"gardien cannot write a notice in {lang!r} yet; it writes in "
            f"{', '.join(SUPPORTED_LANGUAGES)}"
        )
    return _WORDINGS[lang]()


def resolve_language(declared: list[str], lang: str | None) -> str:
    """The language to publish in: ``lang`` if the registry declares it, else its first one."""
    if lang is None:
        lang = declared[0]
    if lang not in declared:
        raise UsageError(
            f"the registry does not declare the language {lang!r}; "
            f"it declares {', '.join(declared)} (controller.notice.languages)"
        )
    wording_for(lang)  # a declared language gardien cannot write is a usage error too
    return lang


__all__ = ["SUPPORTED_LANGUAGES", "Wording", "pick", "resolve_language", "wording_for"]
