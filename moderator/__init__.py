"""Live moderation and timing server for UPR Pre-sessions."""

__version__ = "0.1.0"
