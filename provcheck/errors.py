"""The exception tree: every error provcheck raises on purpose.

    ProvcheckError            anything the CLI turns into "Error: ..." and exit code 2
    ├── InputError            a file or record the user gave cannot be used
    ├── ConfigError           an option, setting or manifest is invalid
    └── DataError             an evaluation corpus is missing or malformed

The library raises and never prints or exits; ``cli.py`` maps these to a one-line
message on stderr. Messages name the value, the limit and the fix.
"""

from __future__ import annotations


class ProvcheckError(Exception):
    """Base class: an error whose message is meant for the user as it is."""


class InputError(ProvcheckError):
    """A path, file or record given by the user cannot be read or used."""


class ConfigError(ProvcheckError):
    """An option, a setting or a manifest is invalid."""


class DataError(ProvcheckError):
    """An evaluation corpus is missing or not in the expected layout."""
