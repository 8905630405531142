"""Fulfilling verified rights requests across every declared system (``gardien request run``).

Many requests are fulfilled together: their people are located with one query per table
(``gardien.rights.locate``), then each request is carried out according to its kind, and
completed with a result that holds counts and legal grounds only (never a value):

- access (Art. 15) / portability (Art. 20): a package is built and kept in the store until it
  is exported or expires;
- erasure (Art. 17): what no activity needs is erased, the rest kept with its ground
  (``gardien.jobs.erasure``); a partial erasure completes as ``partially_refused``
  with the reasons, Art. 12(4);
- rectification (Art. 16), restriction and its lifting (Art. 18): see ``gardien.rights``;
- objection (Art. 21) and consent withdrawal (Art. 7(3)): written to the consent ledger;
  an objection to prospecting is absolute and puts the identifiers on the suppression list
  (R-RGT-05), and the data kept only for prospecting is erased.

A request that cannot run (unverified identity, a directive before a declared death) is
reported and left as it is; the others go on. Only a request's proven identifiers are
searched (``RightsRequest.scope``, R-RGT-11), and the identifiers the person's own rows hold
(``gardien.jobs.proven``); the result names those left out.

One request run per store at a time (``gardien.store.run_lock``, scope ``requests``): a second
one waits at most ``wait`` seconds, then stops having done nothing (``RequestRunInProgress``).
Holding the lock, a run knows that a request found ``in_progress`` was left by a run that died
or met a system error: it resumes it from the journals, never refuses it, and ends as an
uninterrupted run would have — every write journaled before it is made and replayed, not
repeated (``gardien.jobs.erasure``, ``gardien.store.rights_journal.once``). A system that fails
under one request leaves that request in progress, says where (``system.table``), and is
recorded in the audit trail as resumable; the other requests go on (issue 9 §4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.connectors.errors import ConnectorError
from gardien.connectors.sql import SqlConnector, connectors_for
from gardien.consent.subject import Subject, SubjectIdentifier
from gardien.errors import GardienError, Unavailable
from gardien.jobs import consent as consent_jobs
from gardien.jobs import requests as request_jobs
from gardien.jobs.erasure import erase
from gardien.jobs.proven import locate_proven
from gardien.jobs.rectification import rectify
from gardien.jobs.restriction import restrict
from gardien.jobs.retention import require_systems
from gardien.registry.model import Registry
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RightsRequest
from gardien.requests.moments import Observer, RequestMoment
from gardien.requests.proofs import ProofMethod
from gardien.requests.run_errors import RequestSystemFailed
from gardien.requests.workflow import InvalidRequest
from gardien.rights.access import RequestReference, SearchedWith
from gardien.rights.erasure import located_rows
from gardien.rights.locate import PersonLocation
from gardien.rights.package import access_package, portability_package
from gardien.rights.pivot import WITHHELD, PivotedLocation
from gardien.store import audit, consent_history, packages, rights_journal, run_lock
from gardien.store import consent as consent_book
from gardien.store import restrictions as restriction_book
from gardien.store.keys import keys_of


@dataclass
class Fulfilment:
    request_id: str
    kind: str
    state: str
    summary: str
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


Progress = Callable[[Fulfilment], None]
COMPLETION_BATCH = 200  # completions written together; a crash leaves at most these in progress


def _subject(registry: Registry, store: Engine, request: RightsRequest) -> Subject:
    """The request's person, digested with the store's subject key (``gardien.store.keys``).

    Named by its proven identifiers only (R-RGT-11): an objection or a restriction must not
    be recorded against somebody else's phone number either.
    """
    identity = ",".join(f"{k}={v}" for k, v in sorted(request.scope.identity.items()))
    return consent_jobs.subject_for(registry, identity, keys_of(store).subject)


def _located_summary(location: PersonLocation) -> dict[str, Any]:
    return {"found": location.found, "tables": location.summary()}


class _Runner:
    def __init__(
        self,
        registry: Registry,
        store: Engine,
        clock: Clock,
        connectors: Mapping[str, SqlConnector],
        *,
        actor: str,
        lang: str | None,
        pdf: bool,
        observe: Observer | None = None,
    ) -> None:
        self.registry, self.store, self.clock = registry, store, clock
        self.connectors, self.actor, self.lang, self.pdf = connectors, actor, lang, pdf
        self.observe = observe
        self.pending: list[request_jobs.Completion] = []
        self.pending_packages: list[tuple[str, str, bytes]] = []
        self.pivots: dict[str, PivotedLocation] = {}  # request id → its pivot (issue 10 §3)

    def moment(self, moment: RequestMoment) -> None:
        if self.observe is not None:
            self.observe(moment)

    def erase_ledger_identifiers(self, request: RightsRequest) -> int:
        """The consent ledger keeps identifiers in clear to act on them; after an erasure only
        its digests remain, as proof of what the person asked (Art. 7(1), 17). Journaled with
        the write: a resumed request answers with the count, and audits it, once."""
        subject = _subject(self.registry, self.store, request)
        done = rights_journal.once(
            self.store,
            self.clock,
            request_id=request.id,
            kind="ledger_erasure",
            actor=self.actor,
            work=lambda conn: {
                "events": consent_history.erase_identifiers_in(
                    conn, self.clock, subject, actor=self.actor
                )
            },
        )
        return int(done["events"])

    def searched_with(self, request: RightsRequest) -> tuple[SearchedWith, ...]:
        """What the request was searched with: its proven identifiers, how each was proven,
        then those read from the person's rows (where) and those withheld (issue 10 §3)."""
        pivoted = self.pivots.get(request.id)
        scope = request.scope
        own = tuple(
            SearchedWith(kind, value, scope.proofs[kind].value)
            for kind, value in sorted(scope.identity.items())
            if scope.proofs[kind] is not ProofMethod.PIVOT
        )
        if pivoted is None:
            return own
        return (
            *own,
            *(
                SearchedWith(p.kind, p.value, "pivot", p.found_in, p.rows_in)
                for p in pivoted.pivots
            ),
            *(SearchedWith(p.kind, p.value, "withheld", p.found_in) for p in pivoted.withheld),
        )

    def reference(self, request: RightsRequest) -> RequestReference:
        return RequestReference(
            request.id,
            request.received_at,
            self.clock.now().date(),
            tuple(sorted(request.scope.not_searched)),
            self.searched_with(request),
        )

    def person(self, request: RightsRequest) -> Subject:
        """The person an objection protects: their proven identifiers and those read from their
        own rows (Art. 21(3) protects the person, not a channel: the e-mail's objection covers
        the phone of the same client row). Never a withheld value (``rights.pivot``): nobody
        else's number goes on the suppression list."""
        subject = _subject(self.registry, self.store, request)
        pivoted = self.pivots.get(request.id)
        if pivoted is None or not pivoted.pivots:
            return subject
        key = keys_of(self.store).subject
        have = {(i.kind, i.value) for i in subject.identifiers}
        extra = tuple(
            SubjectIdentifier(p.kind, p.value, key.digest(p.kind, p.value))
            for p in pivoted.pivots
            if (p.kind, p.value) not in have
        )
        return Subject((*subject.identifiers, *extra))

    def complete(
        self,
        request: RightsRequest,
        result: dict[str, Any],
        summary: str,
        reasons: str | None = None,
    ) -> Fulfilment:
        """Queue the request's completion; ``flush`` writes a batch of them in one transaction.

        Every result says which identifiers were searched, how each was proven, and which were
        not searched and why (R-RGT-11, Art. 15(4)); identifiers left out make the answer a
        partial refusal with that reason (Art. 12(4)), so the person knows to have them
        attested.
        """
        scope = request.scope
        searched = self.searched_with(request)
        identifiers = scope.as_json()
        pivoted = self.pivots.get(request.id)
        if pivoted is not None:
            # Kinds and where only: the stored result holds no value (values are in the
            # timeline entry, masked for roles that do not see people).
            identifiers["pivoted"] = [
                {"identifier": p.kind, "found_in": list(p.found_in), "rows_in": list(p.rows_in)}
                for p in pivoted.pivots
            ]
            identifiers["withheld"] = [
                {"identifier": p.kind, "found_in": list(p.found_in), "reason": WITHHELD}
                for p in pivoted.withheld
            ]
        result = {**result, "identifiers": identifiers}
        if (left_out := scope.summary()) is not None:
            summary = f"{summary}; {left_out}"
            reasons = _with_left_out(request, reasons)
        outcome: Literal["completed", "partially_refused"] = (
            "partially_refused" if reasons else "completed"
        )
        details = {"searched_with": [s.as_json() for s in searched]}
        self.pending.append(request_jobs.Completion(request.id, result, outcome, reasons, details))
        if len(self.pending) >= COMPLETION_BATCH:
            self.flush()
        return Fulfilment(request.id, request.kind.value, outcome, summary, result)

    def flush(self) -> None:
        if self.pending_packages:
            with self.store.begin() as conn:
                packages.save_many(
                    conn, self.clock, self.pending_packages, self.registry.controller.zone
                )
            self.pending_packages = []
        if self.pending:
            request_jobs.complete_many(self.store, self.clock, self.pending, actor=self.actor)
            self.pending = []
            self.moment(RequestMoment.ANSWERS_WRITTEN)

    def package(self, request: RightsRequest, location: PersonLocation) -> Fulfilment:
        reference = self.reference(request)
        if request.kind is RequestKind.PORTABILITY:
            content = portability_package(self.registry, location, reference, self.lang)
        else:
            content = access_package(self.registry, location, reference, self.lang, pdf=self.pdf)
        # Saved with the request's completion, in the same batch (see ``flush``).
        self.pending_packages.append((request.id, request.kind.value, content))
        result = {
            **_located_summary(location),
            "package": {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)},
        }
        found = "data found" if location.found else "no data held"
        return self.complete(request, result, f"{found}; package ready for export")

    def erasure(
        self,
        request: RightsRequest,
        location: PersonLocation,
        only_tables: set[str] | None = None,
        *,
        before: tuple[dict[str, Any], str] | None = None,
    ) -> Fulfilment:
        """Erase what no activity needs; ``before`` is what an earlier step of the same request
        did (result and summary), completed together with the erasure."""
        rows = located_rows(location)
        if only_tables is not None:
            rows = [r for r in rows if f"{r.system}.{r.table}" in only_tables]
        run = erase(
            self.registry, self.store, self.clock, request.id, rows, self.connectors,
            actor=self.actor, language=self.lang or self.registry.languages[0],
            observe=self.observe,
        )  # fmt: skip
        data = run.outcome.to_dict()
        result = {
            key: data[key]
            for key in ("found", "erased", "kept", "complete", "tables", "recipients")
        }
        if request.kind is RequestKind.ERASURE:
            result["ledger_identifiers_erased"] = self.erase_ledger_identifiers(request)
        summary = f"{data['erased']} row(s) erased, {data['kept']} kept with their legal ground"
        reasons = None
        if data["kept"]:
            grounds = sorted(
                {_keep_reason(r) for t in data["tables"] for r in t.get("kept_because", [])}
            )
            reasons = (
                "kept under " + "; ".join(grounds)
                if grounds
                else "some data must be kept (Art. 17(3))"
            )
        if before is not None:
            result = {**before[0], "erasure": result}
            summary = f"{before[1]}; {summary}"
        return self.complete(request, result, summary, reasons)

    def rectification(self, request: RightsRequest, location: PersonLocation) -> Fulfilment:
        outcome = rectify(
            self.registry, self.store, self.clock, request.id, located_rows(location),
            request.details.fields, self.connectors, actor=self.actor,
        )  # fmt: skip
        result = {**_located_summary(location), **outcome.to_dict()}
        rows = sum(c.rows for c in outcome.changes)
        archived = sum(c.archived_rows for c in outcome.changes)
        told = ", ".join(outcome.recipients) or "none"
        if archived:
            # The restricted archive is proof of what was held (R-RET-08): it is not rewritten,
            # and the person is told so (Art. 12(4)).
            return self.complete(
                request,
                result,
                f"{rows} row value(s) rectified, {archived} archived kept unchanged; recipients to inform (Art. 19): {told}",
                reasons=f"{archived} archived record(s) kept unchanged as proof of what was held (GDPR Art. 17(3)(e))",
            )
        return self.complete(
            request,
            result,
            f"{rows} row value(s) rectified; recipients to inform (Art. 19): {told}",
        )

    def restriction(self, request: RightsRequest, location: PersonLocation) -> Fulfilment:
        lift = request.kind is RequestKind.RESTRICTION_LIFT
        subject = _subject(self.registry, self.store, request)
        # gardien's restriction list, journaled with the request: a resumed request places or
        # lifts nothing twice (issue 9 §4).
        rights_journal.once(
            self.store,
            self.clock,
            request_id=request.id,
            kind="lift:list" if lift else "restrict:list",
            actor=self.actor,
            work=lambda conn: self._restriction_list(conn, request, subject, lift=lift),
        )
        outcome = restrict(
            self.registry, self.store, self.clock, request.id, located_rows(location), self.connectors,
            actor=self.actor, lift=lift, notice=request.text if lift else None,
        )  # fmt: skip
        result = {**_located_summary(location), **outcome.to_dict()}
        marked = sum(t.marked for t in outcome.tables)
        verb = "unmarked" if lift else "marked restricted"
        return self.complete(
            request, result, f"{marked} row(s) {verb}; gardien's restriction list updated"
        )

    def _restriction_list(
        self, conn: Connection, request: RightsRequest, subject: Subject, *, lift: bool
    ) -> dict[str, int]:
        if lift:
            # Art. 18(3): the person is told before the restriction is lifted.
            notice = request.text or "restriction lifted: the person was informed beforehand"
            lifted = restriction_book.lift_restriction_in(
                conn, self.clock, subject, notice=notice, actor=self.actor
            )
            return {"lifted": len(lifted)}
        reason = request.text or f"restriction requested (request {request.id})"
        restriction_book.place_restriction_in(
            conn, self.clock, subject, reason=reason, request_id=request.id, actor=self.actor
        )
        return {"placed": 1}

    def objection(self, request: RightsRequest, location: PersonLocation) -> Fulfilment:
        subject = self.person(request)
        prospecting = request.kind is RequestKind.OBJECTION_PROSPECTING
        if request.details.activity:
            activities = [request.details.activity]
        elif prospecting:
            activities = [a for a, act in self.registry.activities.items() if act.direct_marketing]
        else:
            raise InvalidRequest(
                f"request {request.id}: an objection names the activity it is aimed at",
                field="activity",
            )
        kind = {
            RequestKind.OBJECTION: "objection",
            RequestKind.OBJECTION_PROSPECTING: "objection-prospecting",
            RequestKind.CONSENT_WITHDRAWAL: "withdrawn",
        }[request.kind]
        recorded = []
        already = consent_book.events_of_request(self.store, request.id)  # a resumed request
        event_kind = consent_jobs.parse_kind(kind)[0].value
        for activity in activities:
            if (activity, event_kind) in already:
                recorded.append(activity)
                continue
            consent_jobs.record(
                self.store, self.clock, self.registry, subject, activity, kind,
                channel="api", actor=self.actor, request_id=request.id,
            )  # fmt: skip
            recorded.append(activity)
        result: dict[str, Any] = {"ledger": {"activities": recorded, "event": kind}}
        summary = f"{kind} recorded for {', '.join(recorded)}"
        if prospecting:
            # R-RGT-05: data kept only for prospecting has no purpose left.
            prospect_only = {
                f"{sid}.{name}"
                for sid, system in self.registry.systems.items()
                for name in system.tables
                if (acts := self.registry.table_activities(sid, name))
                and all(self.registry.activities[a].direct_marketing for a in acts)
            }
            return self.erasure(
                request,
                location,
                prospect_only,
                before=(result, f"{summary}; identifiers suppressed"),
            )
        return self.complete(request, result, summary)


def _with_left_out(request: RightsRequest, reasons: str | None) -> str | None:
    """``reasons`` followed by the identifiers the request gave but did not prove, if any."""
    scope = request.scope
    if not scope.not_searched:
        return reasons
    unproven = (
        f"identifier(s) {', '.join(sorted(scope.not_searched))} not searched: not proven (the "
        "one-time code proves only the identifier it was sent to); an agent's attestation of a "
        "checked document is needed (R-RGT-11, GDPR Art. 15(4))"
    )
    return f"{reasons}; {unproven}" if reasons else unproven


def _keep_reason(reason: Mapping[str, Any]) -> str:
    """ "contract (GDPR Art. 17(1)(a)) until contract_end": what keeps data, and until when."""
    until = reason.get("until") or reason.get("until_event") or "the hold is released"
    return f"{reason.get('activity') or 'legal hold'} ({reason.get('article')}) until {until}"


def run_requests(
    registry: Registry,
    store: Engine,
    clock: Clock,
    request_ids: Sequence[str],
    *,
    actor: str,
    lang: str | None = None,
    pdf: bool = True,
    connectors: Mapping[str, SqlConnector] | None = None,
    progress: Progress | None = None,
    wait: float = 0.0,
    checkpoint: Observer | None = None,
) -> list[Fulfilment]:
    """Fulfil verified requests, and resume those a dead run left in progress; one look-up per
    table for all of them together.

    One request run per store at a time: while another holds the lock, wait at most ``wait``
    seconds, then raise ``RequestRunInProgress`` naming it, having done nothing.
    ``checkpoint`` is told every moment of the run (``RequestMoment``), to observe it.
    """
    connectors = connectors or connectors_for(registry)
    require_systems(registry, connectors)

    def waiting() -> None:
        if checkpoint is not None:
            checkpoint(RequestMoment.WAITING)

    with run_lock.holding(
        store, actor, wait=wait, scope=run_lock.REQUESTS, on_wait=waiting
    ) as lock:

        def observe(moment: RequestMoment) -> None:
            if moment is RequestMoment.REQUEST_STARTING:
                lock.confirm()  # never a request without the lock
            if checkpoint is not None:
                checkpoint(moment)

        observe(RequestMoment.LOCKED)
        runner = _Runner(
            registry, store, clock, connectors, actor=actor, lang=lang, pdf=pdf, observe=observe
        )
        try:
            results = _run_locked(runner, request_ids, progress)
        finally:
            runner.flush()  # what was carried out is answered, even if the run stops here
        observe(RequestMoment.CLOSING)
        return results


def _run_locked(
    runner: _Runner, request_ids: Sequence[str], progress: Progress | None
) -> list[Fulfilment]:
    store, clock, actor = runner.store, runner.clock, runner.actor
    results: list[Fulfilment] = []
    started, not_started = request_jobs.start_many(
        store, clock, request_ids, actor=actor, resume=True
    )
    runner.moment(RequestMoment.STARTED)
    for request_id, exc in not_started.items():
        request = _safe_show(store, request_id)
        if request is not None and not request.state.is_open:
            # Answered already, by this command before it was killed or by another: running
            # the same batch again is how a stopped run is finished, not a mistake.
            results.append(
                Fulfilment(
                    request_id, request.kind.value, request.state.value, "already answered",
                    dict(request.result or {}),
                )
            )  # fmt: skip
            continue
        kind = request.kind.value if request else "?"
        state = request.state.value if request else "?"
        results.append(Fulfilment(request_id, kind, state, "not run", error=str(exc)))
    # R-RGT-11: only proven identifiers are searched, by every right (``requests.proofs``).
    try:
        found = locate_proven(
            runner.registry, runner.connectors, runner.store, runner.clock, runner.actor, started
        )
        started, locations = found.requests, found.locations
        runner.pivots.update(found.pivots)
    except ConnectorError as exc:  # nothing was changed: every request resumes on a re-run
        raise RequestSystemFailed(f"system {exc.system} (finding the people)", exc) from exc
    for request in started:
        runner.moment(RequestMoment.REQUEST_STARTING)
        location = locations[request.id]
        try:
            results.append(_fulfil(runner, request, location))
        except Unavailable as exc:  # a system failed: the journal keeps what was done
            results.append(_interrupted(runner, request, exc))
        except GardienError as exc:
            # The law or the registry refuses what was asked (an objection to a contract
            # activity, a field the person's tables do not hold…): running it again cannot
            # help, so the request is refused with the reason, as Art. 12(4) requires.
            reason = _with_left_out(request, str(exc)) or str(exc)
            answered = request_jobs.refuse(store, clock, request.id, actor=actor, reason=reason)
            results.append(
                Fulfilment(
                    request.id, request.kind.value, answered.state.value, "refused", error=reason
                )
            )
        runner.moment(RequestMoment.REQUEST_DONE)
        if progress:
            progress(results[-1])
    return results


def _interrupted(runner: _Runner, request: RightsRequest, exc: Unavailable) -> Fulfilment:
    """The request stays in progress, recorded as resumable: the next run carries it on."""
    where = exc.where if isinstance(exc, RequestSystemFailed) else None
    if where is None and isinstance(exc, ConnectorError):
        where = f"system {exc.system}"
    failed = (
        exc
        if isinstance(exc, RequestSystemFailed)
        else RequestSystemFailed(where or "gardien's store", exc)
    )
    audit.record(
        runner.store,
        runner.clock,
        NewEvent(
            runner.actor,
            "request.interrupted",
            f"request:{request.id}",
            {"where": failed.where, "error": failed.cause.code, "resumable": True},
        ),
    )
    return Fulfilment(
        request.id,
        request.kind.value,
        "in_progress",
        "interrupted; a re-run resumes it",
        error=str(failed),
    )


def _fulfil(runner: _Runner, request: RightsRequest, location: PersonLocation) -> Fulfilment:
    kind = request.kind
    if kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        return runner.package(request, location)
    if kind is RequestKind.ERASURE:
        return runner.erasure(request, location)
    if kind in (
        RequestKind.OBJECTION,
        RequestKind.OBJECTION_PROSPECTING,
        RequestKind.CONSENT_WITHDRAWAL,
    ):
        return runner.objection(request, location)
    if kind is RequestKind.RECTIFICATION:
        return runner.rectification(request, location)
    if kind in (RequestKind.RESTRICTION, RequestKind.RESTRICTION_LIFT):
        return runner.restriction(request, location)
    if kind is RequestKind.POST_MORTEM_DIRECTIVE:
        # Imported here: fulfil_directive builds on this module's _Runner.
        from gardien.jobs.fulfil_directive import fulfil_directive

        return fulfil_directive(runner, request, location)
    raise GardienError(f"request {request.id}: gardien does not execute a {kind.value}")


def _safe_show(store: Engine, request_id: str) -> RightsRequest | None:
    try:
        return request_jobs.show(store, request_id)
    except GardienError:
        return None
