"""What the reservations' stages share: ``BookingRefused``."""

from __future__ import annotations


class BookingRefused(Exception):
    """A booking, cancellation or rating the public asked for cannot be done; ``message`` says
    why in words for the person, ``reason`` in a word for programs."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
