"""The intake comparison: POST /v1/reviews that only parses and validates the body.

Same request model and the same uvicorn as the service, no signature, policy or
database: the ceiling the real endpoint is measured against.
"""

from __future__ import annotations

from fastapi import FastAPI, status

from dentareview.api.schemas import SignedReview


def create_bare_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/reviews", status_code=status.HTTP_202_ACCEPTED)
    def post_review(body: SignedReview) -> dict[str, str]:
        return {"status": "pending", "visitId": body.message.visitId}

    return app
