"""The one exception type whose message is shown to users as a single line."""


class UserError(Exception):
    """Bad input or a missing resource: the CLI prints the message alone and exits non-zero."""
