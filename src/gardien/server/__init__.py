"""What the API and the pages share, so that ``gardien.api`` and ``gardien.web`` are peers.

- ``app``: ``create_app(settings)``, the composition root (the one module here that imports
  ``gardien.api`` and ``gardien.web``, to mount them on one ASGI application);
- ``context``: what a running server builds once (settings, store engine with its keys,
  registry, notifier, clock, connectors) and hands to every request;
- ``auth``: who calls (API tokens checked with argon2, cached), ``Unauthenticated`` and
  ``PermissionDenied``;
- ``permissions``: the roles and the written permission matrix, the one place;
- ``errors``: gardien's error kinds → HTTP statuses and the API's one JSON error shape;
- ``client``: the client's address (forwarding headers only from trusted proxies);
- ``ratelimit``: per-address counters (the portal, sign-in), IPv6 per /64;
- ``checks``: the batched consent checks on PostgreSQL (the context opens them).
"""
