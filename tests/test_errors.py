"""Every error gardien raises on purpose has a stable code and a kind, and the tree in
``gardien.errors``' docstring names every class: a new class without its code, or missing from
the drawing, fails here (issue 9 §7)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import gardien
from gardien import errors
from gardien.cli.console import EXIT_CODE
from gardien.errors import GardienError, Kind
from gardien.server.errors import HTTP_STATUS


def _every_error_class() -> list[type[GardienError]]:
    for module in pkgutil.walk_packages(gardien.__path__, "gardien."):
        if ".migrations" in module.name or module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)
    found: list[type[GardienError]] = []
    pending: list[type[GardienError]] = [GardienError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


CLASSES = _every_error_class()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_each_error_class_has_its_own_code_and_a_kind(cls: type[GardienError]) -> None:
    assert "code" in vars(cls), f"{cls.__module__}.{cls.__name__} declares no code of its own"
    assert cls.code and cls.code == cls.code.lower() and " " not in cls.code
    assert isinstance(cls.kind, Kind)


def test_codes_are_unique() -> None:
    codes: dict[str, str] = {}
    for cls in CLASSES:
        assert cls.code not in codes, f"{cls.__name__} and {codes[cls.code]} share {cls.code}"
        codes[cls.code] = cls.__name__


def test_the_tree_in_the_docstring_names_every_class() -> None:
    drawing = errors.__doc__ or ""
    missing = [cls.__name__ for cls in CLASSES if f" {cls.__name__} " not in drawing]
    assert not missing, f"draw these in gardien/errors.py: {missing}"
    for cls in CLASSES:
        line = next(line for line in drawing.splitlines() if f" {cls.__name__} " in line)
        assert cls.code in line, f"the drawing gives {cls.__name__} another code than {cls.code}"


def test_the_drawing_draws_no_class_that_does_not_exist() -> None:
    names = {cls.__name__ for cls in CLASSES}
    tree = (errors.__doc__ or "").split("::", 1)[1].split("Library code", 1)[0]
    drawn = {line.split("── ")[-1].split()[0] for line in tree.splitlines() if "── " in line}
    assert drawn - names == set()


def test_every_kind_has_a_status_and_an_exit_code() -> None:
    assert set(HTTP_STATUS) == set(Kind) == set(EXIT_CODE)
    assert HTTP_STATUS[Kind.INVALID_INPUT] == 422 and EXIT_CODE[Kind.INVALID_INPUT] == 2
    assert HTTP_STATUS[Kind.NOT_FOUND] == 404 and HTTP_STATUS[Kind.CONFLICT] == 409
    assert HTTP_STATUS[Kind.UNAVAILABLE] == 503 and HTTP_STATUS[Kind.INTERNAL] == 500


def test_a_field_is_in_the_details() -> None:
    refused = errors.ReasonRequired("say why", field="reason")
    assert refused.details() == {"field": "reason"}
    assert GardienError("plain").details() == {}
