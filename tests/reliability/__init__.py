"""Reliability: concurrent load, several processes, crashes and chain outages."""
