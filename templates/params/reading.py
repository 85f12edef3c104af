"""The checks made while reading a params file and its route lock, before any model exists.

Every other rule lives in ``templates/rules/`` and reads a validated model;
these decide whether there is a model at all, so the reader (``loader``,
``messages``, ``route_lock``) makes them.  The registry lists them with the
rest (``templates.rules.registry.rules``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadingCheck:
    id: str
    summary: str
    docs: tuple[str, ...] = ()
    limit: str = ""


FILE = ReadingCheck("P001", "the params file is missing or cannot be read")
ENCODING = ReadingCheck("P002", "the file is not UTF-8 text")
YAML = ReadingCheck(
    "P003",
    "YAML that does not load: syntax, a duplicate key, a second document, an anchor used inside itself, "
    "aliases expanding past any real file",
)
TOP_LEVEL = ReadingCheck("P004", "the file is empty or its top level is not a mapping")
DEFAULTS = ReadingCheck("P005", "defaults is not a mapping of service settings")
UNKNOWN_KEY = ReadingCheck("P006", "an unknown key (typo?); the message lists the keys allowed there")
MISSING_KEY = ReadingCheck("P007", "a required key is missing")
SCHEMA = ReadingCheck(
    "P008", "a value of the wrong type, range or pattern for its key (YAML's reading quoted as written)"
)
KEY_NOT_TEXT = ReadingCheck("P009", "a key YAML read as a number, date or boolean")
ROUTE_LOCK = ReadingCheck("R007", "the route lock file does not load, or lists a route twice")

READING_CHECKS = (FILE, ENCODING, YAML, TOP_LEVEL, DEFAULTS, UNKNOWN_KEY, MISSING_KEY, SCHEMA, KEY_NOT_TEXT, ROUTE_LOCK)
