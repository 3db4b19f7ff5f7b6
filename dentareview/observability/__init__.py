"""What operators see inside the service: Prometheus metrics (declared in `metrics`)."""
