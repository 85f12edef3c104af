"""Schedule expressions: ``rate(...)``, ``cron(...)`` and (scaling only) ``at(...)``.

EventBridge rules and Application Auto Scaling scheduled actions accept the
same six-field cron dialect.  AWS rejects a bad expression only at deploy
time, as a failed resource; checking it here turns that into a params error
naming the key.  ``problem()`` returns what is wrong, or None when valid.
"""

from __future__ import annotations

import re
from datetime import datetime

_RATE = re.compile(r"^rate\((?P<value>[0-9]+) (?P<unit>minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]+)\)$")
_AT = re.compile(r"^at\((?P<when>[^()]+)\)$")

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

# name, lowest, highest, names that stand for numbers (1-based)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2199, ()),
)

RATE_HELP = "rate(<n> minute|minutes|hour|hours|day|days), e.g. rate(5 minutes)"
CRON_HELP = "cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>), e.g. cron(0 3 * * ? *)"


def problem(expression: str, allow_at: bool = False) -> str | None:
    """What is wrong with ``expression``; None when AWS will accept it."""
    if expression.startswith("rate("):
        return _rate_problem(expression)
    if expression.startswith("cron("):
        return _cron_problem(expression)
    if allow_at and expression.startswith("at("):
        return _at_problem(expression)
    forms = f"{RATE_HELP}; or {CRON_HELP}" + ("; or at(yyyy-mm-ddThh:mm:ss)" if allow_at else "")
    return f"not a schedule expression; use {forms}"


def _rate_problem(expression: str) -> str | None:
    match = _RATE.match(expression)
    if not match:
        return f"bad rate expression; use {RATE_HELP}"
    value, unit = int(match["value"]), match["unit"]
    if value < 1:
        return "a rate must be at least 1"
    if (value == 1) != (not unit.endswith("s")):
        fixed = unit.rstrip("s") if value == 1 else unit + "s"
        return f"AWS wants rate({value} {fixed}): singular unit for 1, plural otherwise"
    return None


def _cron_problem(expression: str) -> str | None:
    match = _CRON.match(expression)
    if not match:
        return f"bad cron expression; use {CRON_HELP}"
    fields = match["fields"].split()
    if len(fields) != len(_FIELDS):
        return f"cron needs 6 fields (got {len(fields)}); use {CRON_HELP}"
    for text, spec in zip(fields, _FIELDS, strict=True):
        issue = _field_problem(text, spec)
        if issue:
            return f"cron {spec[0]} field {text!r}: {issue}"
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return "cron needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 3 * * ? *))"
    return None


def _number(text: str, spec: tuple[str, int, int, tuple[str, ...]]) -> int | None:
    _, low, high, names = spec
    if text.upper() in names:
        return names.index(text.upper()) + 1
    if text.isascii() and text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


def _field_problem(text: str, spec: tuple[str, int, int, tuple[str, ...]]) -> str | None:
    name, low, high, _ = spec
    allowed = f"{low}-{high}" + (f" or {spec[3][0]}-{spec[3][-1]}" if spec[3] else "")
    if text == "?":
        return None if name in ("day-of-month", "day-of-week") else "? is only allowed in day-of-month or day-of-week"
    for item in text.split(","):
        if _special_day(item, name):
            continue
        base, _, step = item.partition("/")
        if step and not (step.isascii() and step.isdigit() and int(step) >= 1):
            return f"step {step!r} must be a positive number"
        if base == "*":
            continue
        first, _, last = base.partition("-")
        start = _number(first, spec)
        end = _number(last, spec) if last else start
        if start is None or end is None:
            return f"{item!r} is out of range; allowed: {allowed}, *, ranges a-b, steps /n, lists a,b"
        if end < start:
            return f"range {base!r} runs backwards"
    return None


def _special_day(item: str, name: str) -> bool:
    """L, W and # forms: last day, nearest weekday, n-th weekday of the month."""
    if name == "day-of-month":
        return item in ("L", "LW") or bool(re.fullmatch(r"([1-9]|[12]\d|3[01])W", item))
    if name == "day-of-week":
        day = r"([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)"
        return item == "L" or bool(re.fullmatch(rf"{day}L|{day}#[1-5]", item.upper()))
    return False


def _at_problem(expression: str) -> str | None:
    match = _AT.match(expression)
    if not match:
        return "bad at expression; use at(yyyy-mm-ddThh:mm:ss)"
    try:
        # No zone on purpose: AWS reads the time in the scheduled action's timezone.
        datetime.strptime(match["when"], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return f"{match['when']!r} is not a date and time; use at(yyyy-mm-ddThh:mm:ss)"
    return None
