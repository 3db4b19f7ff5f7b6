"""Security: hostile input, abuse, replays, roles and on-chain guardrails."""
