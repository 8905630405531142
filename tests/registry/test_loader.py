from __future__ import annotations

from pathlib import Path

import pytest

from gardien.errors import RegistryError
from gardien.registry.loader import interpolate_env, load_registry, read_registry

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"


def test_example_loads() -> None:
    registry = load_registry(EXAMPLE)
    assert registry.controller.name == "IMA PROTECT"
    assert "prospecting" in registry.activities
    assert registry.table_subject("crm", "site") == "client"
    assert registry.table_activities("crm", "site") == ["contract", "service-improvement"]


def test_directory_of_files_is_merged(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    head, systems = text.split("\nsystems:\n", 1)
    (tmp_path / "a-main.yaml").write_text(head, encoding="utf-8")
    (tmp_path / "b-systems.yaml").write_text("systems:\n" + systems, encoding="utf-8")
    registry = load_registry(tmp_path)
    assert set(registry.systems) == {"crm", "telephony"}


def test_same_identifier_in_two_files_is_reported_with_both_places(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        "subjects:\n  client: {label: {fr: Client, en: Customer}}\n", encoding="utf-8"
    )
    reading = read_registry(tmp_path)
    [dup] = [f for f in reading.findings if f.code == "GD007"]
    assert dup.file is not None and dup.file.endswith("b.yaml") and dup.line == 2
    assert "a.yaml" in dup.message


def test_empty_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError) as caught:
        load_registry(tmp_path)
    assert caught.value.findings[0].code == "GD008"


def test_ten_problems_are_ten_findings(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "legal_basis: contract\n", "legal_basis: contrat\n"
    )
    text = text.replace("    purpose:\n", "    purpse:\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    reading = read_registry(bad)
    assert reading.registry is None
    codes = [f.code for f in reading.findings]
    # 7 activities lose 'purpose' (missing + unknown key) and 2 have a bad legal basis.
    assert codes.count("GD002") == 7 and codes.count("GD004") == 7 and codes.count("GD003") == 2
    assert all(f.line for f in reading.findings)


def test_env_interpolation() -> None:
    assert interpolate_env("${A_HOST}/${B_DATABASE:-x}", {"A_HOST": "1"}) == ("1/x", [])
    text, [problem] = interpolate_env("${MISSING_URL}", {})
    assert (text, problem.name, problem.reason) == (
        "${MISSING_URL}",
        "MISSING_URL",
        "which is not set",
    )


def test_undefined_env_variable_is_reported_at_the_url(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "${IMA_PROTECT_CRM_URL:-sqlite:///demo/ima-protect/crm.db}", "${GARDIEN_TEST_UNSET_URL}"
    )
    bad = tmp_path / "r.yaml"
    bad.write_text(text, encoding="utf-8")
    reading = read_registry(bad, environ={})
    [finding] = [f for f in reading.findings if f.code == "GD006"]
    assert "GARDIEN_TEST_UNSET_URL" in finding.message
    assert finding.line == text.splitlines().index("    url: ${GARDIEN_TEST_UNSET_URL}") + 1


def test_a_dangling_reference_hints_at_20_declared_identifiers(tmp_path: Path) -> None:
    # Every hint listed every declared identifier: 10,000 of them times 10,000 dangling
    # references wrote 690 MB of hints.
    text = EXAMPLE.read_text(encoding="utf-8")
    extra = "".join(f"  zz{n:03d}: {{fr: x, en: y}}\n" for n in range(100))
    text = text.replace("\ndata:\n", "\ndata:\n" + extra, 1)
    text = text.replace("data: [identity,", "data: [undeclared, identity,", 1)
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    [dangling] = [f for f in read_registry(path).findings if f.code == "GD005"]
    assert dangling.hint is not None
    assert dangling.hint.endswith(" and 87 more")  # 107 declared: 20 named
    assert dangling.hint.count(",") == 19
