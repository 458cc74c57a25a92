class ServiceError(Exception):
    """A rule was broken; the message is Chinese and meant for the user."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class StaleEdit(ServiceError):
    """Someone else changed the figure since the form was opened (optimistic locking)."""
