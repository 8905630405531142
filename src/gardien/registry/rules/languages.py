"""Rules about the notice's languages: every text exists in each declared language (Art. 12(1)).

Texts are found by walking the model: every field typed ``LocalizedText`` (or a list of them)
is a text the notice or the record may print, so a new text field is checked without a new rule.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel

from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity
from gardien.registry.model import LocalizedText
from gardien.registry.source import PathKey


def _strip_optional(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


@cache
def _text_fields(model: type[BaseModel]) -> dict[str, str]:
    """Field name → 'one' (a LocalizedText) or 'list' (a list of them), for one model class."""
    hints = typing.get_type_hints(model, include_extras=True)
    kinds: dict[str, str] = {}
    for name in model.model_fields:
        hint = _strip_optional(hints[name])
        if hint == LocalizedText:
            kinds[name] = "one"
        elif typing.get_origin(hint) is list and typing.get_args(hint)[0] == LocalizedText:
            kinds[name] = "list"
    return kinds


def localized_texts(value: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, dict[str, str]]]:
    """Every localized text under ``value``, with its registry path."""
    if isinstance(value, BaseModel):
        kinds = _text_fields(type(value))
        for name, field in type(value).model_fields.items():
            item = getattr(value, name)
            if item is None:
                continue
            key = field.alias or name
            if kinds.get(name) == "one":
                yield (*path, key), item
            elif kinds.get(name) == "list":
                for index, text in enumerate(item):
                    yield (*path, key, index), text
            else:
                yield from localized_texts(item, (*path, key))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from localized_texts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from localized_texts(item, (*path, index))


def _yaml_path(ctx: CheckContext, path: PathKey) -> PathKey:
    """``client: {fr: …, en: …}`` is shorthand for ``client: {label: {…}}``: point at what was written."""
    if (
        len(path) > 2
        and path[0] in ("subjects", "data")
        and path[2] == "label"
        and path[:3] not in ctx.source.positions
    ):
        return (*path[:2], *path[3:])
    return path


def _missing(ctx: CheckContext, section: str | None) -> Iterator[Issue]:
    sections = ("subjects", "data", "activities", "recipients")
    languages = ctx.registry.languages
    for path, text in localized_texts(ctx.registry):
        if (section is None and path[0] in sections) or (section and path[0] != section):
            continue
        absent = [lang for lang in languages if not str(text.get(lang, "")).strip()]
        if absent:
            dotted = ".".join(str(p) for p in path)
            yield Issue(f"{dotted} has no text in {', '.join(absent)}", _yaml_path(ctx, path))


_ARTICLE = "GDPR Art. 12(1); Art. 13–14 (the notice in each declared language)"


@rule(
    "GD701",
    "subject-text-missing-language",
    Severity.ERROR,
    article=_ARTICLE,
    hint="write the subject category's label in every language of controller.notice.languages",
)
def subject_text_missing_language(ctx: CheckContext) -> Iterator[Issue]:
    return _missing(ctx, "subjects")


@rule(
    "GD702",
    "data-text-missing-language",
    Severity.ERROR,
    article=_ARTICLE,
    hint="write the data category's label in every language of controller.notice.languages",
)
def data_text_missing_language(ctx: CheckContext) -> Iterator[Issue]:
    return _missing(ctx, "data")


@rule(
    "GD703",
    "activity-text-missing-language",
    Severity.ERROR,
    article=_ARTICLE,
    hint="write the activity's name, purpose and other texts in every declared language",
)
def activity_text_missing_language(ctx: CheckContext) -> Iterator[Issue]:
    return _missing(ctx, "activities")


@rule(
    "GD704",
    "recipient-text-missing-language",
    Severity.ERROR,
    article=_ARTICLE,
    hint="write the recipient's label in every language of controller.notice.languages",
)
def recipient_text_missing_language(ctx: CheckContext) -> Iterator[Issue]:
    return _missing(ctx, "recipients")


@rule(
    "GD705",
    "text-missing-language",
    Severity.ERROR,
    article=_ARTICLE,
    hint="write the text in every language of controller.notice.languages",
)
def text_missing_language(ctx: CheckContext) -> Iterator[Issue]:
    return _missing(ctx, None)


@rule(
    "GD706",
    "text-undeclared-language",
    Severity.WARNING,
    article="GDPR Art. 12(1)",
    hint="add the language to controller.notice.languages, or remove the text",
)
def text_undeclared_language(ctx: CheckContext) -> Iterator[Issue]:
    languages = set(ctx.registry.languages)
    for path, text in localized_texts(ctx.registry):
        for lang in text:
            if lang not in languages:
                dotted = ".".join(str(p) for p in path)
                yield Issue(
                    f"{dotted} has a text in '{lang}', which the notice is not published in",
                    _yaml_path(ctx, (*path, lang)),
                )
