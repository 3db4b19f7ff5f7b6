"""Email out through the operator's SMTP server (stdlib smtplib)."""
