"""Publishing from the registry: the Art. 13/14 privacy notice and the Art. 30 record.

``notice`` builds the notice as a small document (sections of paragraphs, lists, tables) worded
by a per-language ``wording`` module; ``render`` lays it out as Markdown or HTML through the
Jinja2 templates beside this package, and as PDF through WeasyPrint. ``record`` builds the
Art. 30 record; ``record_formats`` writes it as CSV, XLSX or JSON. Same registry, same bytes.
"""
