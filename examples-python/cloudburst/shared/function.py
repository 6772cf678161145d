"""``from cloudburst.shared.function import CloudburstFunction``, the original's import path."""
from cloudburst.client.future import CloudburstFunction

__all__ = ["CloudburstFunction"]
