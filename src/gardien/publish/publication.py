"""Whether a notice may be published, and the draft when it may not (issue 11 §1).

A published notice is what the controller tells every person (Art. 12(1), 13, 14): it must not
contain a placeholder ("Information non renseignée", "Safeguard not provided") nor rest on a
registry that ``gardien check`` finds in error. So a notice is *publishable* only when the check
has no error and the notice has no gap (``NoticeDocument.gaps``). Otherwise it can only be had as
a *draft*, asked for explicitly: marked as a draft on every page, its blocking findings listed at
its top, so that nobody mistakes it for the published text.

One home for the decision: the CLI (``gardien notice``), the API, the portal and ``demo`` all
call :func:`prepare_notice`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from gardien.errors import GardienError, Kind
from gardien.publish.document import Draft, NoticeDocument
from gardien.publish.notice import build_notice
from gardien.publish.wording import wording_for
from gardien.registry.checker import check_registry
from gardien.registry.findings import Finding, Severity
from gardien.registry.model import Registry
from gardien.registry.source_map import SourceMap


@dataclass(frozen=True)
class Blocking:
    """What keeps a notice from being published: a check error, or an item it lacks."""

    where: str  # file:line:column, or the registry key when no position is known
    code: str  # the check's code (GD101…), or "gap" for a notice item not provided
    message: str

    def render(self) -> str:
        return f"{self.where}: {self.code}: {self.message}"


@dataclass(frozen=True)
class NoticePublication:
    document: NoticeDocument  # marked as a draft when something blocks it
    blocking: tuple[Blocking, ...]

    @property
    def publishable(self) -> bool:
        return not self.blocking


class NoticeNotPublishable(GardienError):
    """The notice would publish a defect; it can only be had as a draft (``--draft``)."""

    code = "notice_not_publishable"
    kind = Kind.CONFLICT

    def __init__(self, blocking: Sequence[Blocking]) -> None:
        self.blocking = tuple(blocking)
        first = self.blocking[0].render() if self.blocking else ""
        more = f" (and {len(self.blocking) - 1} more)" if len(self.blocking) > 1 else ""
        super().__init__(
            f"the notice cannot be published: {len(self.blocking)} blocking finding(s), "
            f"first {first}{more}; fix the registry, or ask for a draft (--draft)"
        )

    def details(self) -> dict[str, object]:
        return {"blocking": [b.render() for b in self.blocking]}


def _gap_blocking(key: str, source: SourceMap | None) -> Blocking:
    position = source.locate(key.split(".")) if source is not None else None
    where = key
    if position is not None:
        where = f"{position.file}:{position.line}:{position.column or 1} ({key})"
    return Blocking(where, "gap", f"{key} is not provided: the notice would say so to everyone")


def blocking_findings(
    document: NoticeDocument, findings: Sequence[Finding], source: SourceMap | None
) -> tuple[Blocking, ...]:
    errors = [
        Blocking(f.where() if f.file else "registry", f.code, f.message)
        for f in findings
        if f.severity is Severity.ERROR
    ]
    return (*errors, *(_gap_blocking(key, source) for key in document.gaps))


def prepare_notice(
    registry: Registry,
    lang: str,
    *,
    draft: bool = False,
    findings: Sequence[Finding] | None = None,
    source: SourceMap | None = None,
) -> NoticePublication:
    """The notice of ``registry`` in ``lang``, if it may be published.

    ``findings``: the check's, when the caller has them with their file:line (``gardien
    notice`` reads the files); otherwise the registry is checked here, positions unknown.
    Raises :class:`NoticeNotPublishable` when something blocks it and ``draft`` is False;
    with ``draft`` the document comes back marked as a draft, its blocking findings on top.
    """
    if findings is None:
        findings = check_registry(registry, source or SourceMap())
    document = build_notice(registry, lang)
    blocking = blocking_findings(document, findings, source)
    if not blocking:
        return NoticePublication(document, ())
    if not draft:
        raise NoticeNotPublishable(blocking)
    w = wording_for(lang)
    marked = replace(
        document,
        draft=Draft(w["draft_label"], w["draft_intro"], tuple(b.render() for b in blocking)),
    )
    return NoticePublication(marked, blocking)
