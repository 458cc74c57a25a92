class ServiceError(Exception):
    """A rule was broken; the message is Chinese and meant for the user."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class StaleEdit(ServiceError):
    """Someone else changed the figure since the form was opened (optimistic locking)."""


class NeedsConfirmation(ServiceError):
    """Something is missing: the step goes through only after the bureau confirms the summary."""

    def __init__(self, message: str, details: list[str], *, action: str, summary=None):
        super().__init__(message, details)
        self.action = action
        self.summary = summary
