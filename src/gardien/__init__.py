"""gardien — privacy commitments as running software.

One declaration (the registry) drives the published notice, the Art. 30 record,
retention inside real databases and the handling of every GDPR right.
"""

__version__ = "0.1.0"
