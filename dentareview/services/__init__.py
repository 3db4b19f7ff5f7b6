"""Use cases: deploy, attest a visit, submit and anchor a review, read reputation."""
