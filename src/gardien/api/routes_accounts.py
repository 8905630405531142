"""``/api/v1/accounts``: staff accounts, their tokens and roles (issue 9 §2); thin over
``gardien.jobs.accounts``. Each change is audited and closes the account's back-office
sessions; the server forgets the account's cached tokens at once (``TokenCache.forget``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from gardien.api.deps import context, require
from gardien.api.models import AccountOut, NewTokenOut, RoleChange
from gardien.jobs import accounts
from gardien.server.auth import Principal, TokenCache
from gardien.server.context import Context
from gardien.server.permissions import Permission as P
from gardien.store.accounts import Account, AccountListing

router = APIRouter(prefix="/accounts", tags=["accounts"])
Ctx = Annotated[Context, Depends(context)]
Admin = Annotated[Principal, Depends(require(P.ACCOUNTS_MANAGE))]


def _out(row: AccountListing) -> AccountOut:
    return AccountOut(
        name=row.account.name,
        role=row.account.role,
        created_at=row.account.created_at,
        disabled_at=row.disabled_at,
        token_revoked=row.token_revoked,
        password_set=row.account.password_set_at is not None,
    )


def _changed(request: Request, ctx: Context, account: Account) -> AccountOut:
    tokens: TokenCache = request.app.state.tokens
    tokens.forget(account.name)
    row = next(r for r in accounts.listing(ctx.engine) if r.account.name == account.name)
    return _out(row)


@router.get("", response_model=list[AccountOut])
def list_accounts(ctx: Ctx, _: Admin) -> list[AccountOut]:
    """Every staff account: role, disabled or not, token revoked or not (no secret)."""
    return [_out(r) for r in accounts.listing(ctx.engine)]


@router.post("/{name}/token", response_model=NewTokenOut)
def rotate_token(name: str, request: Request, ctx: Ctx, who: Admin) -> NewTokenOut:
    """A new API token for the account, shown once; the previous one stops working."""
    rotated = accounts.rotate_token(ctx.engine, ctx.clock, name, actor=who.actor)
    return NewTokenOut(account=_changed(request, ctx, rotated.account), token=rotated.token)


@router.delete("/{name}/token", response_model=AccountOut)
def revoke_token(name: str, request: Request, ctx: Ctx, who: Admin) -> AccountOut:
    """Revoke the account's API token (a new one: POST /accounts/{name}/token)."""
    return _changed(
        request, ctx, accounts.revoke_token(ctx.engine, ctx.clock, name, actor=who.actor)
    )


@router.post("/{name}/disable", response_model=AccountOut)
def disable(name: str, request: Request, ctx: Ctx, who: Admin) -> AccountOut:
    """No token, no sign-in, sessions closed, until enabled again."""
    return _changed(request, ctx, accounts.disable(ctx.engine, ctx.clock, name, actor=who.actor))


@router.post("/{name}/enable", response_model=AccountOut)
def enable(name: str, request: Request, ctx: Ctx, who: Admin) -> AccountOut:
    """Enable a disabled account again."""
    return _changed(request, ctx, accounts.enable(ctx.engine, ctx.clock, name, actor=who.actor))


@router.put("/{name}/role", response_model=AccountOut)
def change_role(name: str, body: RoleChange, request: Request, ctx: Ctx, who: Admin) -> AccountOut:
    """Give the account another role; its sessions are closed."""
    changed = accounts.change_role(ctx.engine, ctx.clock, name, body.role, actor=who.actor)
    return _changed(request, ctx, changed)
