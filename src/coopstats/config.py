"""`coopstats.toml`: a database's own column names, vocabulary and option defaults.

    [columns]                    # canonical name = the file's header
    sent = "Date sent"
    [values.kind]                # the file's word = the SPEC's word
    "Request for Assistance" = "RFA"
    [defaults]                   # any option, as on the command line
    dayfirst = true
    year-start = "09-16"

Options given on the command line win over the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from coopstats.errors import UsageError
from coopstats.model import CATEGORIES, COLUMNS, KINDS, ORGANS, ORIGINS, OUTCOMES

DEFAULT_NAME = "coopstats.toml"
# The SPEC's words each [values.COLUMN] table of a vocabulary column may map onto (SPEC §1),
# case-folded; "" (an empty cell) too, for any column (SPEC §8: `"Pending" = ""`).
VOCABULARY: dict[str, tuple[str, ...]] = {
    "organ": tuple(ORGANS),
    "kind": tuple(KINDS),
    "origin": tuple(ORIGINS),
    "categories": CATEGORIES,
    "outcome": tuple(OUTCOMES),
}


class Config(NamedTuple):
    path: Path | None = None
    columns: Mapping[str, str] = MappingProxyType({})
    values: Mapping[str, Mapping[str, str]] = MappingProxyType({})
    defaults: Mapping[str, Any] = MappingProxyType({})  # option names with '_' for '-'
    found: bool = False  # found in the current folder, not given with --config

    @property
    def name(self) -> str | None:
        """The file as messages, notes and JSON name it (`./coopstats.toml` when found)."""
        if self.path is None:
            return None
        return f"./{DEFAULT_NAME}" if self.found else str(self.path)


Declarations = Callable[[], Mapping[str, Sequence[Any]]]


def load_config(path: Path | None, declarations: Declarations) -> Config:
    """The named file, else `coopstats.toml` in the current folder when there is one.

    `declarations` gives every coopstats option by its [defaults] name with its click
    declarations (options.declarations); it is called only when [defaults] names an option.
    """
    found = path is None
    if path is None:
        local = Path(DEFAULT_NAME)
        if not local.is_file():
            return Config()
        path = local
    shown = f"./{DEFAULT_NAME}" if found else str(path)
    try:
        import tomllib  # only when there is a file to read: start-up stays lean

        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageError(f"--config: {path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"--config: {path}: is a folder, not a file") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:  # TOMLDecodeError is a ValueError
        raise UsageError(f"{shown}: not a readable TOML file ({err})") from None
    unknown = sorted(set(data) - {"columns", "values", "defaults"})
    if unknown:
        raise UsageError(
            f"{shown}: unknown table(s) {', '.join(unknown)}; expected [columns], [values.*], "
            "[defaults]"
        )
    columns = _strings(shown, "columns", data.get("columns", {}))
    bad = sorted(set(columns) - set(COLUMNS))
    if bad:
        raise UsageError(
            f"{shown}: [columns] names {', '.join(bad)}; the columns are {', '.join(COLUMNS)}"
        )
    _check_headers(shown, columns)
    values_table = data.get("values", {})
    if not isinstance(values_table, dict):
        raise UsageError(f"{shown}: [values] must hold tables such as [values.kind]")
    values: dict[str, dict[str, str]] = {}
    for column, mapping in values_table.items():
        # Any column's: the vocabulary's and the dates' (SPEC §8), any other's for --by (§6).
        values[column] = _strings(shown, f"values.{column}", mapping)
        _check_words(shown, column, values[column])
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise UsageError(f"{shown}: [defaults] must be a table")
    # `format` is the option's name on the command line; its parameter is `fmt`.
    options = {("fmt" if k == "format" else k.replace("-", "_")): v for k, v in defaults.items()}
    if options:
        declared = declarations()
        for name, value in options.items():
            if name not in declared:
                raise UsageError(
                    f"{shown}: [defaults] {_option(name)} is not an option of any coopstats "
                    "command" + _near(name, set(declared))
                )
            if name == "config":
                raise UsageError(f"{shown}: [defaults] config: a config file cannot name another")
            for param in declared[name]:
                check_default(shown, name, value, param)
    return Config(path, columns, values, options, found)


def _near(name: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean {_option(close[0])}?" if close else ""


def _check_words(path: str, column: str, mapping: dict[str, str]) -> None:
    """Every word of a [values.COLUMN] table: a key that is not empty and that no other key
    repeats once case and surrounding spaces are set aside; a target that is one of the
    SPEC's words for the column, or empty (the cell is then read as empty)."""
    table = f"[values.{column}]"
    seen: dict[str, str] = {}
    for theirs in mapping:
        folded = theirs.strip().casefold()
        if not folded:
            raise UsageError(
                f"{path}: {table} maps the empty word {theirs!r}: an empty cell is read as "
                "empty already; remove that key"
            )
        if folded in seen:
            raise UsageError(
                f"{path}: {table} has both {seen[folded]!r} and {theirs!r}, which are the same "
                "word (case and surrounding spaces do not count); keep one"
            )
        seen[folded] = theirs
    words = VOCABULARY.get(column)
    if words is None:
        return  # a date column (the target is read as a date) or another column (a group)
    for theirs, ours in mapping.items():
        # A categories word may stand for several: "DEF/A&S" = "defence;arrest-surrender".
        targets = ours.split(";") if column == "categories" else [ours]
        if ours.strip() and any(t.strip().casefold() not in words for t in targets):
            raise UsageError(
                f"{path}: {table} maps {theirs!r} onto {ours!r}, which is not a "
                f"{column} word; expected one of {', '.join(words)}"
                + (" (several joined by ';')" if column == "categories" else "")
                + ", or \"\" for an empty cell"
            )


def _check_headers(path: str, columns: dict[str, str]) -> None:
    """Two canonical names in [columns] may not read one header (see reading: the command
    line's --column and a name's own header are checked there, once all are known)."""
    seen: dict[str, tuple[str, str]] = {}
    for canonical, title in columns.items():
        folded = title.strip().casefold()
        if not folded:
            raise UsageError(f"{path}: [columns] {canonical} is empty: name the file's header")
        if folded in seen:
            first, header = seen[folded]
            raise UsageError(
                f"{path}: [columns] reads both {first} and {canonical} from the header "
                f"{header.strip()!r}: map each onto a column of its own"
            )
        seen[folded] = canonical, title


def _option(name: str) -> str:
    return "format" if name == "fmt" else name.replace("_", "-")


def check_default(path: str, name: str, value: object, param: Any) -> None:
    """A [defaults] value against the option's own declaration (a click Option): its type
    (flag, whole number and its range, number, choice, text, path) and whether it is repeatable,
    so that `periods = "three"` is refused here, naming the file and key, not misread later."""
    option = f"{path}: [defaults] {_option(name)}"
    if param.multiple:
        if not isinstance(value, list):
            raise UsageError(f"{option} must be a list, e.g. [\"...\"], not {value!r}")
        for item in value:
            _check_one(option, item, param)
        return
    _check_one(option, value, param)


def _check_one(option: str, value: object, param: Any) -> None:
    # By the type's class names: click is typer's own copy in some versions, click in others.
    kind = param.type
    classes = {cls.__name__ for cls in type(kind).__mro__}
    if param.is_flag or "BoolParamType" in classes:
        if not isinstance(value, bool):
            raise UsageError(f"{option} must be true or false, not {value!r}")
        return
    if "IntParamType" in classes:  # IntRange too
        if isinstance(value, bool) or not isinstance(value, int) or _outside(kind, value):
            raise UsageError(f"{option} must be a whole number{_span(kind)}, not {value!r}")
    elif "FloatParamType" in classes:
        if isinstance(value, bool) or not isinstance(value, int | float) or _outside(kind, value):
            raise UsageError(f"{option} must be a number{_span(kind)}, not {value!r}")
    elif not isinstance(value, str):
        raise UsageError(f"{option} must be a string in quotes, not {value!r}")
    elif not value.strip():
        raise UsageError(f"{option} is empty: give a value, or leave the key out")
    elif any(c.endswith(("Path", "File")) for c in classes) and value.strip() == "-":
        raise UsageError(f"{option} may not be '-' (standard input): name a file")
    try:
        kind.convert(value, param, None)
    except Exception as err:  # noqa: BLE001 - click's BadParameter, from either click
        shown = err.format_message() if hasattr(err, "format_message") else str(err)
        raise UsageError(f"{option}: {shown}") from None


def _outside(kind: Any, value: float) -> bool:
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    return (low is not None and value < low) or (high is not None and value > high)


def _span(kind: Any) -> str:
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return ""


def _strings(path: str, name: str, table: object) -> dict[str, str]:
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise UsageError(f"{path}: [{name}] must map names to strings")
    return {str(k): v for k, v in table.items()}
