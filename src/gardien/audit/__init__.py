"""The tamper-evident audit trail: every action and every read of personal data, hash-chained."""
