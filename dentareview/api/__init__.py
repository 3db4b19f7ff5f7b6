"""The HTTP API: app factory, dependencies, schemas and thin routes."""
