"""The consent and objection ledger, the suppression list and the restriction list (issue 4 §3).

Pure domain: events are plain values, the current state is folded from them, and
``may_process`` answers "may we use this person's data for this activity at this instant?"
with the reason. Storage lives in ``gardien.store.consent``; use cases in ``gardien.jobs.consent``.
"""
