"""One exception hierarchy for the whole library.

The library raises only these (anything else escaping ``parse()`` or
``ClauseIndex`` is a bug); the CLI turns them into a one-line message and
exit code 2. Each message is written to be shown as it is, after the file name.
"""


class EulaError(Exception):
    """Base of every error eula-parse raises on purpose."""


class InputError(EulaError):
    """The file cannot be read as a document we can parse: missing, unsupported form, damaged, encrypted, too big."""


class ExtractionError(EulaError):
    """The PDF opened but its text could not be extracted (damaged streams, no text layer)."""


class IndexCorruptError(EulaError):
    """The index directory is missing pieces, foreign or damaged; ``eula index --rebuild`` recovers."""


class IndexLockedError(EulaError):
    """Another process has held the index's write lock for too long; try again later."""


class QueryError(EulaError):
    """A search query that cannot be parsed or names an unknown field."""


class NotFoundError(EulaError):
    """A node, document or version that is not in the index."""
