"""Hostile input: refused at once, with a message naming the file, the line and the limit.

None of these tests measures time. Each builds an input whose full processing would be huge
(thousands of nesting levels, 9⁹ values behind aliases, hundreds of megabytes, a FIFO that
never ends) and asserts on the refusal; the limits of ``gardien.registry.limits`` are what
make the work small. Memory is proven bounded in a process of its own whose address space
is capped (RLIMIT_AS) a little above what it uses once gardien is imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gardien.registry.checker import check_path
from gardien.registry.findings import Finding
from gardien.registry.limits import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_REGISTRY_BYTES,
    MAX_TEXT_CHARS,
    MAX_VALUES,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"


def errors(path: Path) -> list[Finding]:
    report = check_path(path)
    assert not report.usable
    return report.errors


def only_error(path: Path) -> Finding:
    found = errors(path)
    assert len(found) == 1, [f.render() for f in found]
    return found[0]


def billion_laughs() -> str:
    """Nine levels of nine aliases: 9⁹ (387 million) strings once expanded, in 400 bytes."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_thousands_of_nesting_levels_stop_at_the_depth_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("gardien: 1\nnotes: " + "[" * 5000 + "]" * 5000 + "\n")
    finding = only_error(path)
    assert finding.code == "GD001"
    assert (finding.file, finding.line) == (str(path), 2)
    assert f"deeper than {MAX_DEPTH} levels" in finding.message


def test_deep_block_mappings_stop_at_the_depth_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("".join(f"{'  ' * level}k{level}:\n" for level in range(1000)))
    finding = only_error(path)
    assert f"deeper than {MAX_DEPTH} levels" in finding.message
    assert finding.line == MAX_DEPTH + 1


def test_an_alias_bomb_stops_at_the_value_limit(tmp_path: Path) -> None:
    path = tmp_path / "lol.yaml"
    path.write_text(billion_laughs())
    finding = only_error(path)
    assert finding.code == "GD001"
    assert f"more than {MAX_VALUES:,} values" in finding.message
    assert finding.line == 6  # 9⁵ = 59,049 values by line 5, 9⁶ on line 6


def test_an_alias_inside_what_it_names_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("gardien: 1\nnotes: &loop {again: *loop}\n")
    finding = only_error(path)
    assert "the alias *loop is inside the value it refers to" in finding.message
    assert finding.line == 2


def test_a_huge_scalar_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(f"gardien: 1\ncontroller:\n  name: {'x' * (MAX_TEXT_CHARS + 1)}\n")
    finding = only_error(path)
    assert (finding.line, finding.code) == (3, "GD001")
    assert f"at most {MAX_TEXT_CHARS:,}" in finding.message


def test_a_file_of_hundreds_of_megabytes_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:
        file.truncate(300 * 1024 * 1024)  # sparse: no disk used, NULs if it were read
    finding = only_error(path)
    assert finding.code == "GD008"
    assert finding.file == str(path)
    assert "larger than 4 MiB" in finding.message and "300 MiB" in finding.message


def test_a_file_just_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    assert "larger than 4 MiB" in only_error(path).message


def test_many_keys_stop_at_the_value_limit(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("".join(f"k{index}: {index}\n" for index in range(MAX_VALUES)))
    finding = only_error(path)
    assert f"more than {MAX_VALUES:,} values" in finding.message
    assert finding.line == MAX_VALUES // 2  # the mapping, then a key and a value a line


def test_a_directory_of_thousands_of_files_is_refused_before_reading(tmp_path: Path) -> None:
    for index in range(2000):
        (tmp_path / f"part{index:04d}.yaml").write_text("}{ not even YAML\n")
    finding = only_error(tmp_path)
    assert (finding.code, finding.file) == ("GD008", str(tmp_path))
    assert f"more than {MAX_FILES} .yaml files" in finding.message


def test_a_directory_larger_than_the_registry_limit_is_refused(tmp_path: Path) -> None:
    for index in range(MAX_REGISTRY_BYTES // MAX_FILE_BYTES + 1):
        with (tmp_path / f"part{index}.yaml").open("wb") as file:
            file.truncate(MAX_FILE_BYTES)
    finding = only_error(tmp_path)
    assert "MiB of .yaml files" in finding.message
    assert f"{MAX_REGISTRY_BYTES // 2**20} MiB together" in finding.message


def test_the_files_of_a_directory_share_the_value_limit(tmp_path: Path) -> None:
    half = MAX_VALUES // 2 + 10
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(f"{name}: [{', '.join(['1'] * half)}]\n")
    finding = only_error(tmp_path)
    assert finding.file == str(tmp_path / "b.yaml")
    assert f"more than {MAX_VALUES:,} values" in finding.message


def test_a_binary_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(b"gardien: 1\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8")
    finding = only_error(path)
    assert finding.code == "GD001"
    assert (finding.line, finding.column) == (2, 1)
    assert "not UTF-8" in finding.message


def test_a_control_character_in_the_file_is_named_not_printed(tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"gardien: 1\ncontroller:\n  name: A\x00B\n")
    finding = only_error(path)
    assert (finding.line, finding.column) == (3, 10)
    assert "U+0000 (NUL)" in finding.message
    assert "\x00" not in finding.render()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "registry.yaml"
    os.mkfifo(fifo)
    finding = only_error(fifo)  # opening it for reading would wait forever
    assert (finding.code, finding.file) == ("GD008", str(fifo))
    assert "not a regular file" in finding.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_a_directory_registry_is_refused(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"))
    os.mkfifo(tmp_path / "more.yaml")
    finding = only_error(tmp_path)
    assert finding.file == str(tmp_path / "more.yaml")
    assert "not a regular file" in finding.message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_that_never_ends_is_refused(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    finding = only_error(tmp_path / "zero.yaml")
    assert "not a regular file" in finding.message


def test_a_symlink_loop_in_a_directory_registry_is_named(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"))
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    found = errors(tmp_path)
    assert {f.file for f in found} == {str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")}
    assert all("symbolic links" in f.message for f in found)


def test_a_registry_path_that_loops_is_not_called_missing(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    finding = only_error(tmp_path / "loop.yaml")
    assert "symbolic links" in finding.message


def test_a_directory_named_as_a_file_is_not_read_as_one(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"))
    (tmp_path / "old.yaml").mkdir()  # subdirectories are not part of the registry
    assert check_path(tmp_path).usable


# --- memory: a process of its own, its address space capped ---------------------------------

_CAPPED = textwrap.dedent(
    """
    import resource, sys
    from gardien.registry.checker import check_path

    with open("/proc/self/status") as status:
        size = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmSize:"))
    cap = size + 256 * 1024 * 1024  # what gardien uses once imported, plus 256 MiB
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    report = check_path(sys.argv[1])
    print("\\n".join(f.render() for f in report.findings))
    """
)


def check_with_capped_memory(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _CAPPED, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="RLIMIT_AS is measured from /proc"
)


@needs_proc
def test_an_alias_bomb_is_refused_within_256_mib(tmp_path: Path) -> None:
    path = tmp_path / "lol.yaml"
    path.write_text(billion_laughs())
    result = check_with_capped_memory(path)
    assert result.returncode == 0, result.stderr
    assert f"more than {MAX_VALUES:,} values" in result.stdout


@needs_proc
def test_a_huge_file_is_refused_within_256_mib(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:
        file.truncate(1024 * 1024 * 1024)  # 1 GiB, sparse
    result = check_with_capped_memory(path)
    assert result.returncode == 0, result.stderr
    assert "larger than 4 MiB" in result.stdout


@needs_proc
def test_the_largest_file_accepted_is_read_within_256_mib(tmp_path: Path) -> None:
    # Just under every limit: 4 MiB of keys and values, as many as the value limit allows.
    path = tmp_path / "big.yaml"
    line = "k{:06d}: " + "v" * 20 + "\n"
    count = min(MAX_VALUES // 2 - 10, MAX_FILE_BYTES // len(line.format(0)))
    path.write_text("".join(line.format(index) for index in range(count)))
    result = check_with_capped_memory(path)
    assert result.returncode == 0, result.stderr
    assert "GD002" in result.stdout  # read to the end: its keys are unknown to the registry
