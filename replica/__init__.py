"""A local stand-in of the eight Prakerja platforms' public pages."""

from replica.server import Replica, serve, start_replica
from replica.truth import truth

__all__ = ["Replica", "serve", "start_replica", "truth"]
