from __future__ import annotations

from io import StringIO

from rich.console import Console

from gardien.cli.console import print_finding
from gardien.registry.findings import Finding, Severity


def test_brackets_in_messages_are_printed_not_taken_for_markup() -> None:
    buffer = StringIO()
    console = Console(file=buffer, width=200, color_system=None)
    print_finding(
        Finding(
            "GD003", Severity.ERROR, "should match '^[a-z]{2}$'", "r.yaml", 3, 5, hint="use [fr]"
        ),
        console,
    )
    text = buffer.getvalue()
    assert "'^[a-z]{2}$'" in text and "use [fr]" in text


def test_a_finding_at_line_100_is_not_printed_as_an_emoji() -> None:
    # Rich replaces :100: with 💯 unless told not to: "r.yaml:100:3" became "r.yaml💯3".
    buffer = StringIO()
    console = Console(file=buffer, width=200, color_system=None)
    print_finding(Finding("GD003", Severity.ERROR, "see :smile:", "r.yaml", 100, 3), console)
    assert buffer.getvalue().startswith("r.yaml:100:3: error GD003: see :smile:")
