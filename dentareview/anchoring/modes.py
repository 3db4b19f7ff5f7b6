"""The anchoring worker of the configured mode: single (one transaction per review) or
batch (one Merkle root per batch, rewards paid in aggregate)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from dentareview.anchoring.anonymous import AnonymousSettings
from dentareview.anchoring.batches import BatchAnchorer
from dentareview.anchoring.reviews import Anchorer
from dentareview.config import Settings
from dentareview.relay.settings import RelaySettings
from dentareview.services.chain_access import ChainGateway


def build_anchorer(
    settings: Settings, sessions: sessionmaker[Session], gateway: ChainGateway
) -> Anchorer | BatchAnchorer:
    """The worker of the configured anchor mode."""
    if settings.anchor_mode == "batch":
        return BatchAnchorer(
            sessions,
            gateway,
            batch_size=settings.batch_size,
            batch_seconds=settings.batch_seconds,
            payout_seconds=settings.batch_payout_seconds,
            relay=RelaySettings.from_settings(settings),
            anonymous=AnonymousSettings.from_settings(settings),
        )
    return Anchorer(
        sessions,
        gateway,
        batch_limit=settings.anchor_batch_limit,
        relay=RelaySettings.from_settings(settings),
        anonymous=AnonymousSettings.from_settings(settings),
    )
