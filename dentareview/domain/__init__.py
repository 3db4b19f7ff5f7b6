"""Pure domain logic: typed data, policy and reputation.

No I/O lives here: no HTTP, SQL, web3 or clock reads. Time arrives as
`now: int` (unix seconds) and history as plain values, so every rule is a
deterministic function that tests can pin to the second.

- `models`: wire value objects (Visit, Review, Eip712Domain), valid by construction
- `typed_data`: EIP-712 types, messages, digests, signature parsing and recovery
- `policy`: visit, review and reward rules, all numbers in `PolicySettings`
- `reputation`: reputation combined from database aggregates
"""
