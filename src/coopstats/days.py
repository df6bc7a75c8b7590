"""How days to execute are counted: calendar days (the report's) or working days.

Kept apart from `times` so that `summarize` can read the option without importing the
statistics of `times`: start-up is most of the time of a small summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coopstats.errors import UsageError

if TYPE_CHECKING:
    from coopstats.engine import DaysFn
    from coopstats.options import DayCount


def day_counter(
    days: DayCount | str, holidays: Path | str | None
) -> tuple[DaysFn | None, str]:
    """The days-to-execute function for `--days` and `--holidays`, and the name of the count.

    Calendar days are the engine's default (None). Working days are the days d with
    sent < d <= executed that fall Monday to Friday and are not holidays: the day after sending
    is day 1, as in the FOIA convention. Problems with the options are usage errors (exit 2).
    """
    name = str(days)  # a DayCount is a StrEnum; the library takes the plain word too
    if name not in ("calendar", "working"):
        raise UsageError(f"--days {name}: choose calendar or working")
    if name == "calendar":
        if holidays is not None:
            raise UsageError(
                f"--holidays {holidays}: holidays only count with --days working; add it, or "
                "leave --holidays out"
            )
        return None, name
    from coopstats.stats import load_holidays, working_days_between

    holiday_ordinals: list[int] = []
    if holidays is not None:
        try:
            holiday_ordinals = load_holidays(holidays)
        except FileNotFoundError:
            raise UsageError(f"--holidays {holidays}: no such file") from None
        except IsADirectoryError:
            raise UsageError(f"--holidays {holidays}: is a folder, not a file") from None
        except UnicodeDecodeError:
            raise UsageError(
                f"--holidays {holidays}: not UTF-8 text; save it as UTF-8, one YYYY-MM-DD a line"
            ) from None
        except OSError as err:
            raise UsageError(f"--holidays {holidays}: cannot read it ({err.strerror})") from None
        except ValueError as err:
            raise UsageError(f"--holidays: {err}") from None

    def working(sent: int, executed: int) -> int:
        return working_days_between(sent, executed, holiday_ordinals)

    return working, name
