"""Query functions, keyword-only, one module per table group.

Import each function from the module that defines it (`dentareview.db.queries.reviews`,
`.visits`, ...): the module names what a caller depends on, and nothing is listed twice.
"""
