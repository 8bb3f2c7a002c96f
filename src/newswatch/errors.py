"""The exception hierarchy: one base, one subclass per kind of failure, each mapped to an exit code.

    NewswatchError                 exit 1   base; every message says what happened and what to do
    ├── ConfigError                exit 2   bad option or setting (usage error)
    │   └── QueryError                      a filter, sort or paging value out of its allowed set (HTTP 422)
    ├── ModelNotInstalledError     exit 3   the spaCy English pipeline is missing
    ├── InputError                 exit 4   one input document could not be read or understood
    │   ├── FetchError                      a URL could not be fetched (timeout, status, size cap, refused address)
    │   └── ExtractionError                 a page held no article text
    ├── StoreError                 exit 5   the database could not be opened or written
    ├── NotFoundError              exit 6   a requested id does not exist (HTTP 404)
    └── ServiceError               exit 8   the server cannot start (its port is taken, the address is not ours)

`newswatch run` exits 7 when some inputs failed (each recorded with its reason) and 4 when all of them did.

The CLI turns these into one line and an exit code; the API into ``{"ok": false, "error": ...}``.
An ``InputError`` inside a batch never stops the batch: the pipeline records it in ``ingest_errors``.
"""

from __future__ import annotations


class NewswatchError(Exception):
    """Base of all newswatch errors."""

    exit_code = 1
    http_status = 500


class ConfigError(NewswatchError):
    """A setting or option is invalid."""

    exit_code = 2
    http_status = 400


class QueryError(ConfigError):
    """A query parameter is not one of its allowed values or out of range; ``allowed`` lists the choices."""

    http_status = 422

    def __init__(self, message: str, *, param: str = "", allowed: list[str] | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.allowed = allowed


class ModelNotInstalledError(NewswatchError):
    """No English spaCy pipeline is installed."""

    exit_code = 3


class InputError(NewswatchError):
    """One input could not be read; ``source`` says which."""

    exit_code = 4
    http_status = 422

    def __init__(self, message: str, *, source: str = "", kind: str = "input") -> None:
        super().__init__(message)
        self.source = source
        self.kind = kind


class FetchError(InputError):
    """A URL could not be fetched."""


class ExtractionError(InputError):
    """A document held no usable article text."""


class StoreError(NewswatchError):
    """The database could not be opened or written."""

    exit_code = 5


class NotFoundError(NewswatchError):
    """A requested record does not exist."""

    exit_code = 6
    http_status = 404


class ServiceError(NewswatchError):
    """The server cannot start: the port is taken or the address cannot be listened on."""

    exit_code = 8
