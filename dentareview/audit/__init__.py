"""Auditing: self-contained review proofs, their verification, and the database-vs-chain audit.

Nothing here trusts the service's database: proofs are checked against a node alone,
and the audit recomputes every stored review and compares it with the chain's events.
"""
