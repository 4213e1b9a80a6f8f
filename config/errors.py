"""The one family of errors that services raise and the API and pages turn into 4xx answers."""


class ApplicationError(Exception):
    """A request the product refuses, with a message meant for the person who sent it."""

    status_code = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    def as_payload(self) -> dict:
        payload: dict = {"detail": self.message}
        if self.field_errors:
            payload["errors"] = self.field_errors
        return payload


class NotFound(ApplicationError):
    status_code = 404


class PermissionDenied(ApplicationError):
    status_code = 403


class Conflict(ApplicationError):
    status_code = 409


class ValidationFailed(ApplicationError):
    status_code = 422

    @classmethod
    def for_field(cls, field: str, message: str) -> "ValidationFailed":
        return cls(message, field_errors={field: [message]})
