"""The size of what gardien agrees to read as a registry (docs/registry.md, "Limits").

A registry is written by people: the largest example (examples/ima-protect.yaml, 7 activities,
7 tables) is 17 KB, 8 levels deep and 525 values. The limits are two orders of magnitude
above that, and low enough that reading any input ends in about a second with
memory proportional to them, whatever the file holds (issue 9 §6: a file of hundreds of
megabytes, a YAML alias bomb, thousands of nesting levels or thousands of files in a
directory are refused at once, with a message that names the limit).
"""

from __future__ import annotations

MAX_FILE_BYTES = 4 * 1024 * 1024
"""One registry file: checked before reading, and no more than this is ever read."""

MAX_REGISTRY_BYTES = 16 * 1024 * 1024
"""All the files of a directory registry together."""

MAX_FILES = 500
"""``.yaml``/``.yml`` files in a directory registry."""

MAX_DEPTH = 32
"""Nesting of mappings and lists (a registry needs fewer than ten levels)."""

MAX_VALUES = 100_000
"""Values (scalars, mappings, lists) once YAML aliases are expanded, all files together."""

MAX_TEXT_CHARS = 100_000
"""Characters in one value (a purpose, a description): a long page of a notice is 5,000."""

MAX_TABLE_CHAIN = 16
"""Tables in a ``belongs_to`` chain (orders → customer is two): every walk up a chain stops
there, so the checker's rules stay linear in the number of tables."""
