"""DentaReview: verified dental reviews anchored on Ethereum."""
