"""Errors that carry a message meant for the person using reportqa, not a traceback."""


class ReportQAError(Exception):
    """A user-facing problem: bad input, a missing model, a missing or mismatched index."""


class ModelUnavailableError(ReportQAError):
    """The embedding model is neither bundled nor found locally."""


class IndexUnusableError(ReportQAError):
    """The index is missing, corrupt, or was built with other settings."""


class InputError(ReportQAError):
    """A question or a report file that cannot be used as given."""
