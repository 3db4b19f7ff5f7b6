"""Helpers shared by the test suite: a real Anvil process and dev accounts."""
