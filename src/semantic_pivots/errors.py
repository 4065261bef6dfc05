"""The one exception type whose message is shown to users as a single line."""


class UserError(Exception):
    """Bad input or a missing resource: the CLI prints the message alone and exits non-zero."""


def file_error(exc: BaseException) -> str | None:
    """The reason, where ``exc`` is a failure to read or write a file (else None).

    safetensors raises its own error type, for a truncated file and a full disk alike.
    """
    if not (isinstance(exc, OSError) or type(exc).__name__ == "SafetensorError"):
        return None
    return (
        getattr(exc, "strerror", None) or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    )
