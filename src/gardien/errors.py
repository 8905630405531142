"""gardien's one exception hierarchy: every error carries a stable ``code`` and a ``kind``.

The ``code`` names the error for machines (the API's ``error.code``, scripts reading the CLI's
messages): it never changes once published. The ``kind`` says what sort of refusal it is, and
everything an edge does with an error derives from it, in one table per edge:
``gardien.server.errors.HTTP_STATUS`` (the API and the pages) and
``gardien.cli.console.EXIT_CODE`` (the command line). ``field``, when given, names the input
the error is about (``reason``, ``identity``…): the API puts it in ``details``, the CLI turns
it into its option (``--reason``). Messages name no CLI option, endpoint or form field: they
say what is wrong in the privacy domain's words, and each edge adds its own hint.

The tree (code, kind), as in ``tests/test_errors.py``, which fails when a class is missing here::

    GardienError                    gardien_error, conflict: refused by the state of things
    ├── UsageError                  invalid_input: the input cannot work as given
    │   ├── MalformedIdentifier     malformed_identifier      (gardien.identity)
    │   ├── UnknownRequestKind      unknown_request_kind      (gardien.requests.kinds)
    │   ├── UnknownDirectiveAction  unknown_directive_action  (gardien.requests.directive)
    │   ├── InvalidRequest          invalid_request           (gardien.requests.workflow)
    │   ├── UnknownIdentifier       unknown_identifier        (gardien.requests.proofs)
    │   ├── FieldTooLong            field_too_long: refused at filing (gardien.jobs.filing)
    │   ├── ValueDoesNotFit         value_does_not_fit        (gardien.connectors.errors)
    │   ├── ReasonRequired          reason_required: a blank reason, whatever the act
    │   ├── MalformedCode           malformed_code            (gardien.requests.verification)
    │   ├── EventRefused            event_refused             (gardien.consent.ledger)
    │   ├── UnknownCountryError     unknown_country           (gardien.law.deadlines)
    │   ├── DeadlineOutOfRangeError deadline_out_of_range     (gardien.law.deadlines)
    │   ├── ErasureInputError       erasure_input             (gardien.rights.erasure)
    │   ├── RectificationRefused    rectification_refused     (gardien.rights.rectification)
    │   ├── RestrictionRefused      restriction_refused       (gardien.rights.restriction)
    │   ├── UnknownIdentifierKind   unknown_identifier_kind   (gardien.rights.locate)
    │   ├── AccountExists           account_exists            (gardien.store.accounts)
    │   ├── UnfitPassword           unfit_password            (gardien.store.accounts)
    │   ├── AccountNotFound         account_not_found, not_found
    │   └── SecretKeyError          secret_key_unfit, invalid_configuration (gardien.consent.keys)
    ├── RegistryError               registry_invalid, invalid_configuration: carries every finding
    ├── NotFound                    not_found
    │   ├── RequestNotFound         request_not_found         (gardien.store.requests)
    │   ├── HoldNotFound            hold_not_found            (gardien.store.holds)
    │   └── PackageNotFound         package_not_found         (gardien.store.packages)
    ├── IllegalTransition           illegal_transition, conflict (gardien.requests.states)
    │   └── UnverifiedIdentity      unverified_identity, conflict
    ├── NoCodeSent                  no_code_sent, conflict    (gardien.jobs.identity)
    ├── HoldAlreadyReleased         hold_already_released, conflict (gardien.store.holds)
    ├── NoticeNotPublishable        notice_not_publishable, conflict (gardien.publish.publication)
    ├── CodeRejected                code_rejected, refused    (gardien.requests.verification)
    ├── CodesLocked                 codes_locked, refused     (gardien.requests.verification)
    ├── Unauthenticated             unauthenticated           (gardien.server.auth)
    ├── PermissionDenied            forbidden                 (gardien.server.auth)
    ├── RateLimited                 rate_limited              (gardien.server.ratelimit)
    ├── Unavailable                 unavailable: something gardien needs does not answer
    │   ├── StoreUnavailable        store_unavailable         (gardien.store.database)
    │   ├── NotificationError       notification_failed       (gardien.notify)
    │   ├── AnchorFailed            audit_anchor_failed       (gardien.jobs.audit_anchor)
    │   ├── ConnectorError          connector_error           (gardien.connectors.errors)
    │   │   ├── SystemUnreachable   system_unreachable
    │   │   ├── SchemaMismatch      schema_mismatch
    │   │   └── StatementFailed     statement_failed
    │   └── RequestSystemFailed     request_system_failed: resumable (gardien.requests.run_errors)
    ├── RetentionRunInProgress      retention_run_in_progress, conflict (gardien.retention.errors)
    ├── RetentionLockLost           retention_lock_lost, unavailable (gardien.retention.errors)
    ├── RequestRunInProgress        request_run_in_progress, conflict (gardien.requests.run_errors)
    ├── RequestRunLockLost          request_run_lock_lost, unavailable (gardien.requests.run_errors)
    └── StoreKeysMissing            store_keys_missing, internal (gardien.store.keys)

Library code never prints and never exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from gardien.registry.findings import Finding


class Kind(StrEnum):
    """What sort of refusal an error is; HTTP statuses and exit codes derive from it."""

    INVALID_INPUT = "invalid_input"
    """The input cannot work as given (a malformed identifier, a blank reason…)."""
    REFUSED = "refused"
    """The input was understood and checked, and the answer is no (a wrong one-time code)."""
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    """The state of things does not allow it (the request's state, a hold already released)."""
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    """A system, the store or the notifier does not answer; trying again later may work."""
    INVALID_CONFIGURATION = "invalid_configuration"
    """gardien's own configuration (registry, keys) cannot be used: nothing can be done."""
    INTERNAL = "internal"
    """A mistake in gardien itself."""


class GardienError(Exception):
    """Base of every error gardien raises on purpose."""

    code: ClassVar[str] = "gardien_error"
    kind: ClassVar[Kind] = Kind.CONFLICT

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        """The input the error is about (``reason``, ``identity``, ``fields``…), if one."""

    def details(self) -> dict[str, Any]:
        """Machine-readable facts about the error (the API's ``error.details``)."""
        return {"field": self.field} if self.field else {}


class UsageError(GardienError):
    """The request cannot work as asked (bad option, missing file…)."""

    code = "invalid_input"
    kind = Kind.INVALID_INPUT


class ReasonRequired(UsageError):
    """A decision or an act the law wants reasoned was given no reason (a refusal, an
    extension, a legal hold, a read of the restricted archive…)."""

    code = "reason_required"

    @classmethod
    def check(cls, text: str | None, why: str, *, field: str = "reason") -> str:
        """``text`` without its surrounding blanks; refused with ``why`` when nothing is left."""
        reason = (text or "").strip()
        if not reason:
            raise cls(why, field=field)
        return reason


class NotFound(GardienError):
    """What the caller names does not exist (a request, a hold, a package…)."""

    code = "not_found"
    kind = Kind.NOT_FOUND


class Unavailable(GardienError):
    """Something gardien needs does not answer (a declared system, the store, the notifier)."""

    code = "unavailable"
    kind = Kind.UNAVAILABLE


class RegistryError(GardienError):
    """The registry cannot be loaded; ``findings`` holds every problem found, not the first."""

    code = "registry_invalid"
    kind = Kind.INVALID_CONFIGURATION

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        count = len(self.findings)
        first = self.findings[0].render() if self.findings else "no details"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"the registry has {count} problem(s): {first}{more}")

    def details(self) -> dict[str, Any]:
        return {"findings": [f.render() for f in self.findings]}
