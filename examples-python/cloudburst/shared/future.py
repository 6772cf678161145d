"""``from cloudburst.shared.future import CloudburstFuture``, the original's import path."""
from cloudburst.client.future import CloudburstFuture

__all__ = ["CloudburstFuture"]
