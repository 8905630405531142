"""``gardien demo``: the main job, end to end, on the example registries.

1. Check the three example registries against the law and publish each one's notice
   (Markdown, HTML, PDF, every declared language) and Art. 30 record (CSV, XLSX, JSON).
2. Build the IMA PROTECT demo databases with synthetic people whose dates exercise every
   retention rule, place a litigation hold on one caller's recordings (R-RET-05), show the
   retention plan, run it, and verify the audit trail.
3. Answer rights requests, leave one waiting for the back office, create the back office's
   demo account and tell how to serve the pages and sign in.
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.rule import Rule
from rich.table import Table

from gardien.cli.console import handle_errors, out, print_finding
from gardien.cli.options import settings as command_settings
from gardien.cli.retention import action_json, print_actions, run_progress
from gardien.clock import FixedClock
from gardien.jobs import accounts, audit, filing, holds
from gardien.jobs import identity as proof
from gardien.jobs import retention as job
from gardien.jobs.fulfil import run_requests
from gardien.publish.publication import prepare_notice
from gardien.publish.record_formats import RecordFormat, render_record
from gardien.publish.render import NoticeFormat, render_document
from gardien.registry.checker import check_path
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.requests.kinds import RequestKind
from gardien.store.database import open_store
from gardien.synthetic.people import fill_system
from gardien.synthetic.schema import create_system

EXAMPLES = ("ima-protect", "ima-group", "influence-media")
DEMO_ACCOUNT = "dpo@demo"
NOTICE_FORMATS = tuple(NoticeFormat)
RECORD_FORMATS = tuple(RecordFormat)


def _examples_dir() -> Path:
    here = Path.cwd() / "examples"
    if here.is_dir():
        return here
    raise typer.BadParameter("run the demo from the project's root (it reads ./examples)")


def _publish(examples: Path, out_dir: Path) -> None:
    out.print(Rule("1. Check the registries and publish what they promise"))
    summary = Table(title="Legal check of the example registries")
    for name in ("registry", "errors", "warnings", "notice", "files"):
        summary.add_column(name)
    for name in EXAMPLES:
        report = check_path(examples / f"{name}.yaml")
        target = out_dir / name
        target.mkdir(parents=True, exist_ok=True)
        published = 0
        status = "—"
        registry = report.reading.registry
        if registry is not None:
            for lang in registry.languages:
                # Issue 11 §1: only a publishable notice is published; the others are drafts,
                # named so and marked as such on every page, their blocking findings on top.
                publication = prepare_notice(
                    registry,
                    lang,
                    draft=True,
                    findings=report.findings,
                    source=report.reading.source,
                )
                stem = "notice" if publication.publishable else "notice-draft"
                status = (
                    "published"
                    if publication.publishable
                    else f"draft ({len(publication.blocking)} blocking)"
                )
                for fmt in NOTICE_FORMATS:
                    notice = render_document(publication.document, fmt)
                    (target / f"{stem}.{lang}.{fmt.value}").write_bytes(notice)
                    published += 1
                for record_format in RECORD_FORMATS:
                    record = render_record(registry, lang, record_format)
                    (target / f"record.{lang}.{record_format.value}").write_bytes(record)
                    published += 1
        summary.add_row(
            name,
            str(len(report.errors)),
            str(len(report.warnings)),
            status,
            f"{published} in {target}",
        )
        for finding in report.errors:
            print_finding(finding, out)
    out.print(summary)
    out.print(
        "The errors above are the real defects of the published notices (R-XFR-01, R-RGT-12, R-RET-09).\n"
        "A notice with an error or an item it cannot fill is not published: it is written as "
        "notice-draft.*, marked as a draft on every page, its blocking findings on top."
    )


def _fill(registry_path: Path, now: datetime, people: int) -> None:
    registry = load_registry(registry_path)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:>8,.0f} rows"),
        TimeElapsedColumn(),
        console=out,
    ) as bar:
        tasks: dict[str, int] = {}
        for system_id in registry.systems:
            create_system(registry, system_id, drop=True)

            def show(step: object) -> None:
                name = f"{step.system}.{step.table}"  # type: ignore[attr-defined]
                if name not in tasks:
                    tasks[name] = bar.add_task(f"synthetic people → {name}", total=step.total)  # type: ignore[attr-defined]
                bar.update(tasks[name], completed=step.rows)  # type: ignore[attr-defined, arg-type]

            fill_system(registry, system_id, people=people, seed=2026, now=now, progress=show)


def _hold_one_recording(registry_path: Path, store: sa.Engine, clock: FixedClock) -> str | None:
    """R-RET-05: a caller in litigation; their expired recordings must survive the run."""
    registry = load_registry(registry_path)
    url = registry.systems["telephony"].url
    engine = sa.create_engine(url)
    cutoff = clock.now().replace(tzinfo=None, month=max(1, clock.now().month - 8))
    with engine.connect() as conn:
        number = conn.execute(
            sa.text(
                "SELECT caller_number FROM call_recording WHERE recorded_at < :cutoff ORDER BY id LIMIT 1"
            ),
            {"cutoff": cutoff},
        ).scalar_one_or_none()
    engine.dispose()
    if number is None:
        return None
    holds.place(
        store,
        clock,
        registry,
        actor="demo:dpo",
        reason="litigation: dispute over an alarm response",
        case="TJ Niort RG 26/01234",
        person=("phone", str(number)),
    )
    return str(number)


def _archived_client(registry_path: Path) -> str | None:
    engine = sa.create_engine(load_registry(registry_path).systems["crm"].url)
    with engine.connect() as conn:
        email = conn.execute(
            sa.text("SELECT email FROM client_gardien_archive ORDER BY id LIMIT 1")
        ).scalar_one_or_none()
    engine.dispose()
    return str(email) if email else None


def _rights(registry: Registry, store: sa.Engine, clock: FixedClock) -> None:
    """Three requests a DPO's team receives every week, carried out across both systems."""
    out.print(Rule("3. Answer rights requests (access, erasure, objection to prospecting)"))
    engine = sa.create_engine(registry.systems["crm"].url)
    with engine.connect() as conn:
        client = conn.execute(
            sa.text("SELECT email FROM client WHERE contract_ended_on IS NULL ORDER BY id LIMIT 1")
        ).scalar_one()
        prospects = [
            r[0] for r in conn.execute(sa.text("SELECT email FROM prospect ORDER BY id LIMIT 2"))
        ]
    engine.dispose()
    asked = [
        (RequestKind.ACCESS, client),
        (RequestKind.ERASURE, client),
        (RequestKind.OBJECTION_PROSPECTING, prospects[0]),
        (RequestKind.ERASURE, prospects[1]),
    ]
    ids = []
    for kind, email in asked:
        request = filing.submit(
            store,
            clock,
            actor="demo:agent",
            kind=kind,
            identity={"email": str(email)},
            registry=registry,
        )
        proof.attest(
            store,
            clock,
            request.id,
            actor="demo:agent",
            attestation="identity card checked at the counter",
        )
        ids.append(request.id)
    outcomes = run_requests(registry, store, clock, ids, actor="demo:agent", pdf=False)
    table = Table(title="Requests answered (R-RGT-01, -03, -05)")
    for name in ("kind", "person", "state", "outcome"):
        table.add_column(name)
    for (kind, email), outcome in zip(asked, outcomes, strict=True):
        table.add_row(
            kind.value, str(email), outcome.state, escape(outcome.error or outcome.summary)
        )
    out.print(table)
    out.print(
        f"the access package of {client}: .venv/bin/gardien request export {ids[0]} -o access.zip --store sqlite:///demo/gardien.db"
    )
    # One request left for the back office: verify it by attestation, run it, export it.
    with engine.connect() as conn:
        waiting = conn.execute(
            sa.text(
                "SELECT email FROM client WHERE contract_ended_on IS NULL ORDER BY id LIMIT 1 OFFSET 1"
            )
        ).scalar_one()
    engine.dispose()
    filing.submit(
        store,
        clock,
        actor="demo:agent",
        kind=RequestKind.ACCESS,
        identity={"email": str(waiting)},
        registry=registry,
    )
    out.print(f"an access request of {waiting} waits in the back office (verify, run, export)")


def _demo_account(store: sa.Engine, clock: FixedClock) -> str:
    """The back office's demo account (role dpo), created or reset; returns its password.

    A new random password each run, printed once: a demo store is for a laptop, and a fixed
    password in the source would open any demo left listening on a network.
    """
    password = "demo-" + secrets.token_urlsafe(12)
    if accounts.enabled(store, DEMO_ACCOUNT) is None:
        accounts.add(store, clock, name=DEMO_ACCOUNT, role="dpo", actor="demo")
    accounts.set_password(store, clock, DEMO_ACCOUNT, password, actor="demo")
    return password


@handle_errors
def demo(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Where to write the published files.")
    ] = Path("out"),
    people: Annotated[
        int, typer.Option("--people", min=10, help="Synthetic people per subject table.")
    ] = 2000,
    now: Annotated[
        str, typer.Option("--now", help="The demo's 'now' (ISO date), for a reproducible run.")
    ] = "2026-11-22",
) -> None:
    """Check and publish the examples, then enforce retention on synthetic IMA PROTECT data."""
    examples = _examples_dir()
    _publish(examples, out_dir)

    out.print(Rule("2. Enforce IMA PROTECT's retention rules in its databases"))
    demo_dir = Path("demo")
    shutil.rmtree(demo_dir / "ima-protect", ignore_errors=True)
    store_path = demo_dir / "gardien.db"
    store_path.unlink(missing_ok=True)
    moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
    clock = FixedClock(moment)
    registry_path = examples / "ima-protect.yaml"
    os.environ.pop("IMA_PROTECT_CRM_URL", None)  # the demo uses the registry's default SQLite files
    os.environ.pop("IMA_PROTECT_TELEPHONY_URL", None)
    _fill(registry_path, moment.replace(tzinfo=None), people)
    store = open_store(f"sqlite:///{store_path}", command_settings().keys)
    number = _hold_one_recording(registry_path, store, clock)
    if number:
        out.print(f"legal hold placed on the recordings of caller {number} (litigation, R-RET-05)")
    registry = load_registry(registry_path)
    _, planned = job.plan(registry, store, moment)
    print_actions(
        f"Retention plan at {now}", [action_json(p.action, p.rows, p.held) for p in planned]
    )

    with run_progress() as progress:
        outcome = job.run(registry, store, clock, moment, actor="demo:dpo", progress=progress)
    out.print(
        f"retention run {outcome.report.run_id}: {outcome.report.total_rows:,} row(s) archived, deleted or anonymised, "
        f"{sum(r.held for r in outcome.report.results)} kept by the legal hold"
    )
    archived = _archived_client(registry_path)
    again = job.run(registry, store, clock, moment, actor="demo:dpo")
    out.print(
        f"a second run at the same time changes {again.report.total_rows} row(s): the run is idempotent"
    )
    verification = audit.verify(store)
    out.print(
        f"audit trail: {'intact' if verification.ok else 'BROKEN'}, {verification.events} events"
    )

    _rights(registry, store, clock)
    password = _demo_account(store, clock)

    out.print(Rule("Next"))
    out.print(
        f"published files: {out_dir}/  ·  demo databases: {demo_dir}/ima-protect/  ·  gardien's store: {store_path}\n"
        f"try:  .venv/bin/gardien retention plan -r examples/ima-protect.yaml --store sqlite:///{store_path} --now {now}\n"
        f"      .venv/bin/gardien hold list --store sqlite:///{store_path}\n"
        f"      .venv/bin/gardien archive read -r examples/ima-protect.yaml --store sqlite:///{store_path} "
        f"--system crm --table client --where email={archived or 'EMAIL'} --reason 'proof for a claim'\n"
        f"      .venv/bin/gardien audit log --store sqlite:///{store_path}"
    )
    out.print(Rule("The back office and the portal"))
    crm = registry.systems["crm"].url
    telephony = registry.systems["telephony"].url
    out.print(
        "Serve the pages and the API on this demo (from this directory; Ctrl-C stops it):\n\n"
        f"  GARDIEN_ENV=dev GARDIEN_REGISTRY={registry_path.relative_to(Path.cwd())} "
        f"GARDIEN_DATABASE_URL=sqlite:///{store_path} \\\n"
        f"  IMA_PROTECT_CRM_URL={crm} IMA_PROTECT_TELEPHONY_URL={telephony} \\\n"
        f"  GARDIEN_OUTBOX={demo_dir}/outbox .venv/bin/gardien serve\n\n"
        "then open http://127.0.0.1:8000/office and sign in as\n"
        f"  account:  {DEMO_ACCOUNT}  (role dpo)\n"
        f"  password: {password}\n"
        "Development only: a demo account on a demo store, with a password printed here "
        "(a real account gets one with 'gardien user password NAME'). The public portal is "
        f"at http://127.0.0.1:8000/; the one-time codes it sends land in {demo_dir}/outbox/.",
        markup=False,
    )
