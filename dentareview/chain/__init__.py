"""Chain access: shipped contract artifacts, deployment, and contract wrappers."""
