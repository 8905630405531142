"""Rights requests (GDPR Art. 12, 15–22; Loi 78-17 art. 85): kinds, states, deadlines, identity.

Pure domain: a :class:`~gardien.requests.model.RightsRequest` is a value; the functions of
:mod:`gardien.requests.workflow` return a new value with one more timeline entry, or raise a
:class:`~gardien.requests.states.IllegalTransition`. Storage, notification and the CLI live at
the edges (``gardien.store.requests``, ``gardien.notify``, ``gardien.jobs.requests``).
"""
