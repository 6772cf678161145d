"""``from cloudburst.shared.reference import CloudburstReference``, the original's import path."""
from cloudburst.values import CloudburstReference

__all__ = ["CloudburstReference"]
