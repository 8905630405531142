"""Roles and the written permission matrix (docs/api.md shows the same table).

Least privilege: an agent handles requests and consent but cannot refuse a request or extend
its deadline (decisions of the DPO, Art. 12(3) and 12(5)); an auditor reads the request queue
(to check deadlines are kept), the trail, holds and retention, but changes nothing, exports no
package and reads no archive; an admin runs retention and checks the trail but sees no
request. Reading the restricted archive (R-RET-08) is for the DPO only. Every role may ask
the consent, suppression and restriction checks, which answer yes or no.
"""

from __future__ import annotations

from enum import StrEnum

from gardien.requests.masking import masked
from gardien.requests.model import RightsRequest
from gardien.roles import Role

__all__ = ["MATRIX", "Permission", "Role", "allowed", "sees_people", "view_for"]


class Permission(StrEnum):
    REGISTRY_READ = "registry.read"
    REQUESTS_CREATE = "requests.create"
    REQUESTS_READ = "requests.read"
    REQUESTS_VERIFY = "requests.verify"
    REQUESTS_RUN = "requests.run"
    REQUESTS_DECIDE = "requests.decide"  # extend, refuse
    REQUESTS_EXPORT = "requests.export"
    CONSENT_WRITE = "consent.write"
    CONSENT_CHECK = "consent.check"  # status, suppression and restriction checks
    RETENTION_READ = "retention.read"
    RETENTION_RUN = "retention.run"
    HOLDS_READ = "holds.read"
    HOLDS_WRITE = "holds.write"
    AUDIT_READ = "audit.read"
    ARCHIVE_READ = "archive.read"
    ACCOUNTS_MANAGE = "accounts.manage"  # tokens, roles, disabling (issue 9 §2)


_ALL = frozenset(Role)
D, G, U, A = Role.DPO, Role.AGENT, Role.AUDITOR, Role.ADMIN

MATRIX: dict[Permission, frozenset[Role]] = {
    Permission.REGISTRY_READ: _ALL,
    Permission.REQUESTS_CREATE: frozenset({D, G}),
    Permission.REQUESTS_READ: frozenset({D, G, U}),
    Permission.REQUESTS_VERIFY: frozenset({D, G}),
    Permission.REQUESTS_RUN: frozenset({D, G}),
    Permission.REQUESTS_DECIDE: frozenset({D}),
    Permission.REQUESTS_EXPORT: frozenset({D, G}),
    Permission.CONSENT_WRITE: frozenset({D, G}),
    Permission.CONSENT_CHECK: _ALL,
    Permission.RETENTION_READ: frozenset({D, U, A}),
    Permission.RETENTION_RUN: frozenset({D, A}),
    Permission.HOLDS_READ: frozenset({D, U, A}),
    Permission.HOLDS_WRITE: frozenset({D}),
    Permission.AUDIT_READ: frozenset({D, U, A}),
    Permission.ARCHIVE_READ: frozenset({D}),
    # The administrator manages the staff accounts; it sees no request, and no other role
    # may raise its own rights (separation of duties, Art. 32(4)).
    Permission.ACCOUNTS_MANAGE: frozenset({A}),
}


def allowed(role: Role, permission: Permission) -> bool:
    return role in MATRIX[permission]


def sees_people(role: Role) -> bool:
    """Whether ``role`` reads requests with the person's identifiers and words in clear: the
    roles that verify identities handle people (dpo, agent); an auditor reads the queue
    masked (``gardien.requests.masking``), on the API as in the back office."""
    return allowed(role, Permission.REQUESTS_VERIFY)


def view_for(role: Role, request: RightsRequest) -> RightsRequest:
    """The request as ``role`` may read it: the one masking the API and the pages show."""
    return request if sees_people(role) else masked(request)
