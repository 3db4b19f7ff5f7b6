"""Practices' news delivered: webhooks (Standard Webhooks) and emails, retried."""
