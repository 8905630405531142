"""docs/registry.md documents every key of the model and every checker code."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from gardien.registry.checker import all_rules, check_path
from gardien.registry.model import Registry

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "registry.md").read_text("utf-8")


def models(root: type[BaseModel] = Registry) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def visit(hint: typing.Any) -> None:
        if isinstance(hint, type) and issubclass(hint, BaseModel) and hint not in found:
            found.append(hint)
            hints = typing.get_type_hints(hint, include_extras=True)
            for name in hint.model_fields:
                visit(hints[name])
        for arg in typing.get_args(hint):
            visit(arg)

    visit(root)
    return found


def section(model: type[BaseModel]) -> str:
    marker = f"<!-- model: {model.__name__} -->"
    assert marker in DOC, f"docs/registry.md has no section for {model.__name__}"
    # A section runs from its marker to the next heading.
    return re.split(r"^#", DOC.split(marker, 1)[1], maxsplit=1, flags=re.M)[0]


@pytest.mark.parametrize("model", models(), ids=lambda m: m.__name__)
def test_every_key_is_documented(model: type[BaseModel]) -> None:
    text = section(model)
    missing = [
        field.alias or name
        for name, field in model.model_fields.items()
        if f"| `{field.alias or name}` |" not in text
    ]
    assert missing == [], f"{model.__name__}: keys missing from docs/registry.md: {missing}"


def test_every_documented_key_exists() -> None:
    for model in models():
        keys = {field.alias or name for name, field in model.model_fields.items()}
        documented = set(re.findall(r"^\| `([a-z_]+)` \|", section(model), flags=re.M))
        assert documented <= keys, f"{model.__name__}: documented but absent: {documented - keys}"


@pytest.mark.parametrize("legal_rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_is_in_the_table(legal_rule: typing.Any) -> None:
    row = f"| {legal_rule.code} | {legal_rule.name} | {legal_rule.severity.value} |"
    assert row in DOC, f"docs/registry.md lacks the row starting {row!r}"


def test_every_structural_code_is_documented() -> None:
    sources = "".join(p.read_text("utf-8") for p in (ROOT / "src/gardien/registry").glob("*.py"))
    codes = set(re.findall(r'"(GD0\d\d)"', sources))
    assert codes, "no structural code found in the sources"
    assert [c for c in sorted(codes) if f"| {c} |" not in DOC] == []


def test_the_first_example_is_a_sound_registry(tmp_path: Path) -> None:
    example = DOC.split("```yaml\n", 1)[1].split("```", 1)[0]
    file = tmp_path / "example.yaml"
    file.write_text(example, "utf-8")
    report = check_path(file, environ={})
    assert report.usable and report.errors == [], [f.render() for f in report.findings]
