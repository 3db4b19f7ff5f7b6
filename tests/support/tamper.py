"""What someone with write access to the database does to make a review disappear: delete
it with every row that refers to it (its payment, events, flags, replies...), as a
foreign key would otherwise refuse. The tables are read from the schema, so a table
added tomorrow that refers to reviews is deleted from too."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from dentareview.db.models import Base

REVIEWS = Base.metadata.tables["reviews"]


def delete_reviews(session: Session, review_id: int | None = None) -> None:
    """Delete one review (or every review) and the rows that refer to it; commits."""
    for table in reversed(Base.metadata.sorted_tables):
        for key in table.foreign_keys:
            if key.column.table is REVIEWS:
                column = key.parent
                statement = delete(table)
                if review_id is not None:
                    statement = statement.where(column == review_id)
                session.execute(statement)
    statement = delete(REVIEWS)
    if review_id is not None:
        statement = statement.where(REVIEWS.c.id == review_id)
    session.execute(statement)
    session.commit()
