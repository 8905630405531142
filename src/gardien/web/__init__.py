"""Server-rendered pages (issue 5 §2–3): the public rights portal at ``/`` and the staff back
office at ``/office``. Plain HTML forms, no JavaScript needed; thin over ``gardien.jobs`` like
the API, with which they share the app, the store and the error handling.
"""
