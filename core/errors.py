"""The one error type for domain rule violations, turned into a form message on
pages and a 400 (or 409) with field errors in the API."""


class DomainError(Exception):
    """A business rule was broken. ``field`` names the input at fault, if any."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    def as_field_errors(self) -> dict[str, list[str]]:
        return {self.field or "non_field_errors": [self.message]}


class ConflictError(DomainError):
    """Someone else saved the same object since it was loaded."""

    status_code = 409
    default_code = "conflict"

    def __init__(self, message: str | None = None, **kwargs):
        super().__init__(
            message
            or "Someone else changed this record since you opened it. Reload to see their changes, "
            "then apply yours again.",
            **kwargs,
        )


class NotAllowed(DomainError):
    """The acting person's role does not allow this action."""

    status_code = 403
    default_code = "not_allowed"


class ImportFailed(DomainError):
    """An imported file has errors; nothing was written. ``errors`` lists every
    problem as ``row N, field: message`` (the header is row 1). Raised by
    import services, shown by the one import flow (``core.imports``)."""

    def __init__(self, errors: list[str]):
        super().__init__(f"Nothing was imported: {len(errors)} problem(s) in the file.", field="file")
        self.errors = errors
