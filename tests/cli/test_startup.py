"""``gardien --help`` and ``gardien version`` start without importing what only the commands
need (issue 9 §7: they took about two seconds because every command's dependencies loaded at
start). Checked by the modules a fresh interpreter holds afterwards, never by a timing; the
figures are in docs/performance.md."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from gardien.cli.app import COMMANDS, app, load

HEAVY = ("sqlalchemy", "fastapi", "weasyprint", "openpyxl", "faker", "jinja2", "alembic", "argon2")

PROBE = """
import json, sys
from gardien.cli.app import main
sys.argv = ["gardien", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
print("\\nLOADED " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def loaded_by(*args: str) -> tuple[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    output, _, modules = done.stdout.rpartition("\nLOADED ")
    return output, set(json.loads(modules))


@pytest.mark.parametrize("args", [("--help",), ("version",), ()])
def test_help_and_version_import_nothing_heavy(args: tuple[str, ...]) -> None:
    output, modules = loaded_by(*args)
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    if args == ("version",):
        assert output.strip() == "0.1.0"
    else:
        assert "request" in output and "retention" in output


def test_a_command_still_loads_what_it_needs() -> None:
    _, modules = loaded_by("hold", "--help")
    assert "sqlalchemy" in modules  # its module was imported when it was asked for


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_listed_help_line_is_the_command_s_own(name: str) -> None:
    command = load(name)
    own = " ".join((command.help or "").split())
    assert own.startswith(COMMANDS[name].help), (name, own)


def test_every_command_runs_through_the_lazy_list() -> None:
    for name in COMMANDS:
        result = CliRunner().invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
