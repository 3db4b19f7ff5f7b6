"""The background chain side: the anchoring worker and its chain writers.

Every on-chain write goes through one lifecycle (`outbox.py`) on top of the relay
(`dentareview/relay/`); the request path (`dentareview/services/`) only queues work.
"""
