"""Building values and positions from YAML events: what the old composer did, within limits."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gardien.registry.findings import Position
from gardien.registry.source import read_yaml
from gardien.registry.yaml_tree import Tree, build_tree

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
LOADERS = [yaml.SafeLoader, *([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])]


def tree(text: str, loader: type = yaml.SafeLoader) -> Tree:
    return build_tree(yaml.parse(text, Loader=loader), "r.yaml")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
def test_an_example_builds_the_values_pyyaml_loads(example: Path, loader: type) -> None:
    text = example.read_text(encoding="utf-8")
    built = tree(text, loader)
    assert built.findings == []
    assert built.data == yaml.safe_load(text)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_libyaml_and_pyyaml_give_the_same_positions(example: Path) -> None:
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    text = example.read_text(encoding="utf-8")
    pure, fast = tree(text, yaml.SafeLoader), tree(text, yaml.CSafeLoader)
    assert pure.source.positions == fast.source.positions


def test_keys_and_items_are_located_where_they_are_written() -> None:
    built = tree("a:\n  b: [x, {c: 1}]\n")
    assert built.source.positions[("a",)] == Position("r.yaml", 1, 1)
    assert built.source.positions[("a", "b")] == Position("r.yaml", 2, 3)
    assert built.source.positions[("a", "b", 1)] == Position("r.yaml", 2, 10)
    assert built.source.positions[("a", "b", 1, "c")] == Position("r.yaml", 2, 11)


def test_an_alias_is_a_copy_located_at_the_alias() -> None:
    built = tree("a: &x {k: [1, 2]}\nb: *x\n")
    assert built.data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}}
    assert built.data["a"] is not built.data["b"]  # the loader fills in ${VAR} in place
    assert built.source.locate(("b", "k", 0)) == Position("r.yaml", 2, 1)
    # The root; then twice a key and {k: [1, 2]} (a mapping, a key, a list, two items):
    # the alias counts what it repeats.
    assert built.values == 1 + 2 * (1 + 5)


def test_plain_scalars_resolve_as_yaml_1_1_says() -> None:
    built = tree("a: 2024-03-28\nb: 'P5Y'\nc: true\nd: ~\ne: 1.5\nf: =\ng: 017\n")
    assert [type(v).__name__ for v in built.data.values()] == [
        "date", "str", "bool", "NoneType", "float", "str", "int",
    ]  # fmt: skip
    assert built.data["f"] == "="  # YAML's value tag: a text, not an unknown constructor
    assert built.data["g"] == 15  # YAML 1.1 octal


def test_a_boolean_key_is_a_word_and_a_null_key_is_refused() -> None:
    built = tree("true: 1\n~: 2\n")
    assert built.data == {"True": 1}
    [finding] = built.findings
    assert (finding.code, finding.line) == ("GD001", 2)
    assert "not an empty value" in finding.message


def test_a_merge_key_and_a_duplicate_key_are_refused_but_the_rest_is_read() -> None:
    built = tree("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n  y: 3\n")
    assert built.data["c"] == {"y": 2}
    assert [(f.code, f.line) for f in built.findings] == [("GD007", 3), ("GD007", 5)]


def test_a_bom_and_windows_line_ends_are_read(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\r\nb:\r\n  c: 2\r\n")
    document = read_yaml(path)
    assert document.data == {"a": 1, "b": {"c": 2}}
    assert document.source.positions[("b", "c")] == Position(str(path), 3, 3)
