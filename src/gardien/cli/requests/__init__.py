"""``gardien request …``: the rights-request workflow from the command line (issue 4 §2, §4).

The group is assembled here from its parts: ``filing`` (submit, send-code, verify),
``reading`` (show, list), ``decisions`` (extend, refuse, cancel, declare-death) and
``fulfil`` (run, export), each thin over ``gardien.jobs``.
"""

from __future__ import annotations

import typer

from gardien.cli.requests import decisions, filing, fulfil, reading

app = typer.Typer(
    help="Rights requests (GDPR Art. 12, 15–22): submit, verify identity, follow deadlines.",
    no_args_is_help=True,
)

app.command("submit")(filing.submit)
app.command("send-code")(filing.send_code)
app.command("verify")(filing.verify)
app.command("show")(reading.show)
app.command("list")(reading.list_requests)
app.command("extend")(decisions.extend)
app.command("refuse")(decisions.refuse)
app.command("cancel")(decisions.cancel)
app.command("declare-death")(decisions.declare_death)
app.command("run")(fulfil.run)
app.command("export")(fulfil.export)

__all__ = ["app"]
