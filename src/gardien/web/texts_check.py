"""Every form field and query parameter of the pages, checked once before any page reads it.

A NUL byte (``%00``) cannot be stored by PostgreSQL and cuts texts in SQLite and C libraries;
a control character other than a tab or a line break is never meant in a name, a reason or
a value. Such a field is refused with a 422 page naming it, before the CSRF check and the
page's own code, so that no page can forget (issue 9 §6). Invalid UTF-8 (a surrogate's bytes)
is decoded by the framework as U+FFFD: a character, stored fine.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from gardien.identity import unfit_text

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def storable_inputs(request: Request) -> None:
    """A router dependency of the portal and the back office (``web.routes``)."""
    items: list[tuple[str, str]] = list(request.query_params.multi_items())
    if request.method == "POST" and request.headers.get("content-type", "").startswith(_FORMS):
        form = await request.form()  # kept by Starlette: the page's Form(...) reads it again
        items += [(k, v) for k, v in form.multi_items() if not isinstance(v, UploadFile)]
    for name, value in items:
        problem = unfit_text(name) or unfit_text(value)
        if problem is not None:
            shown = name if unfit_text(name) is None else "?"
            raise HTTPException(422, f"the field {shown!r} {problem}")
