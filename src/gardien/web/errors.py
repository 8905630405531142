"""Error pages for people: a page outside ``/api`` answers in HTML, in the portal's layout
(``gardien.server.errors`` calls ``error_page`` for the pages' dead links and bugs).

The API keeps its one JSON error shape (``gardien.server.errors``); a person who follows a dead
link or meets a bug gets a readable page in their language, never JSON or a traceback.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gardien.web.wording import texts_for

_TITLES = {
    "fr": {
        404: "Page introuvable",
        405: "Action impossible",
        422: "Saisie refusée",
        500: "Erreur inattendue",
    },
    "en": {
        404: "Page not found",
        405: "Action not possible",
        422: "Input refused",
        500: "Unexpected error",
    },
}
_MESSAGES = {
    "fr": {
        404: "Ce lien n'existe pas ou n'est plus valable.",
        405: "Cette page ne permet pas cette action.",
        422: "Un champ contient un caractère qui ne peut pas être enregistré (un octet nul ou "
        "un caractère de contrôle). Corrigez-le et réessayez.",
        500: "Une erreur inattendue s'est produite. Elle a été enregistrée ; réessayez plus tard.",
    },
    "en": {
        404: "This link does not exist or is no longer valid.",
        405: "This page does not allow this action.",
        422: "A field holds a character that cannot be stored (a NUL byte or a control "
        "character). Correct it and try again.",
        500: "An unexpected error occurred. It has been logged; try again later.",
    },
}


def error_page(request: Request, status_code: int, detail: str | None = None) -> Response:
    # Imported here: rendering needs the app's context, which only exists once it runs.
    from gardien.web.templating import render

    # The back office is in English; the portal speaks the person's language (French default).
    default = "en" if request.url.path.startswith("/office") else "fr"
    lang = request.query_params.get("lang", default)
    lang = lang if lang in _TITLES else "fr"
    kind = status_code if status_code in _TITLES[lang] else 500 if status_code >= 500 else 404
    return render(
        request,
        "portal/message.html",
        {
            "page": "error",
            "title": _TITLES[lang][kind],
            "message": (_MESSAGES[lang][kind] if kind != 404 else texts_for(lang)["not_found"])
            + (f" ({detail})" if detail else ""),
        },
        lang=lang,
        status_code=status_code,
    )
