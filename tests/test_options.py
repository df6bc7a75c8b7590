"""Options declared once (options.OPTIONS), received typed, with the config's [defaults] merged
before the command runs.

The table is held against the commands of the app; each source of a typed option (built-in,
the config's [defaults], the command line) is checked to win where it should; the config is
checked against the table without the app being built; and the modules of the command line
import one another without a circle.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner, Result

from coopstats.cli import app
from coopstats.options import OPTIONS, declarations

runner = CliRunner()
CLEAN = FIXTURES / "clean-small.csv"
SRC = Path(__file__).resolve().parents[1] / "src" / "coopstats"


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder: a coopstats.toml there is the test's own."""
    monkeypatch.chdir(tmp_path)


def run(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def app_options() -> dict[str, list[object]]:
    import typer

    group = typer.main.get_command(app)
    found: dict[str, list[object]] = {}
    for command in getattr(group, "commands", {}).values():
        for param in command.params:
            if param.param_type_name == "option" and param.name:
                found.setdefault(param.name, []).append(param)
    return found


def shape(param: Any) -> tuple[object, ...]:
    """What a [defaults] value is checked against: the type, its range or choices, a flag, a
    repetition; and the option's spelling."""
    kind = param.type
    return (
        type(kind).__name__,
        getattr(kind, "min", None),
        getattr(kind, "max", None),
        tuple(getattr(kind, "choices", ()) or ()),
        param.is_flag,
        param.multiple,
        tuple(param.opts),
    )


def test_the_table_names_every_option_of_every_command_and_no_other() -> None:
    assert set(OPTIONS) == set(app_options())


def test_each_command_declares_its_options_as_the_table_does() -> None:
    declared = {name: {shape(p) for p in params} for name, params in declarations().items()}
    for name, params in app_options().items():
        for param in params:
            assert shape(param) in declared[name], name


def test_checking_a_config_builds_no_app() -> None:
    """A config with [defaults] is checked against the table: the commands are not imported."""
    Path("coopstats.toml").write_text('[defaults]\ndecimals = 3\nperiod = "2024"\n', "utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from coopstats.config import load_config\n"
        "from coopstats.options import declarations\n"
        "config = load_config(None, declarations)\n"
        "assert dict(config.defaults) == {'decimals': 3, 'period': '2024'}, config.defaults\n"
        "print(sorted(m for m in sys.modules if m.startswith(('coopstats.cli', "
        "'coopstats.commands'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_an_unknown_key_is_named_with_the_closest_option() -> None:
    Path("coopstats.toml").write_text('[defaults]\nperod = "2024"\n', encoding="utf-8")
    result = run("summarize", CLEAN)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "error: ./coopstats.toml: [defaults] perod is not an option of any coopstats command; "
        "did you mean period?\n"
    )


def test_an_option_of_another_command_is_taken_by_the_commands_that_have_it() -> None:
    """`periods` is trend's: summarize runs as if it were not there, trend counts 2 periods."""
    Path("coopstats.toml").write_text("[defaults]\nperiods = 2\n", encoding="utf-8")
    assert run("summarize", CLEAN, "--period", "2024", "--format", "json").exit_code == 0
    result = run("trend", CLEAN, "--period", "2024", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["periods"]) == 2


def summary(*args: object) -> dict[str, object]:
    result = run("summarize", CLEAN, "--period", "2024", *args)
    assert result.exit_code == 0, result.output
    found: dict[str, object] = json.loads(result.stdout)
    return found


@pytest.mark.parametrize(
    ("key", "in_config", "flag", "built_in", "from_config", "from_line"),
    [
        # a string: the reporting year 2024 is the one that ends in 2024, so it starts on
        # 2023-09-16 (the Court's, built in), 2024-01-01 (from 01-01), 2023-07-01 (from 07-01)
        ("year-start", '"01-01"', ["--year-start", "07-01"], "2023-09-16", "2024-01-01",
         "2023-07-01"),
        # a flag with its negation
        ("notifications", "false", ["--notifications"], True, False, True),
        # a choice (an Enum)
        ("days", '"working"', ["--days", "calendar"], "calendar", "working", "calendar"),
    ],
)  # fmt: skip
def test_each_source_of_a_typed_option_wins_where_it_should(
    key: str,
    in_config: str,
    flag: list[str],
    built_in: object,
    from_config: object,
    from_line: object,
) -> None:
    def seen(doc: dict[str, object]) -> object:
        if key == "year-start":
            period = doc["period"]
            assert isinstance(period, dict)
            return period["start"]
        return doc[key]

    assert seen(summary("--format", "json")) == built_in
    Path("coopstats.toml").write_text(f"[defaults]\n{key} = {in_config}\n", encoding="utf-8")
    assert seen(summary("--format", "json")) == from_config
    assert seen(summary("--format", "json", *flag)) == from_line


def test_the_format_from_the_config_the_command_line_and_the_output_file() -> None:
    """--format typed > the extension of -o > [defaults] format > table."""
    Path("coopstats.toml").write_text('[defaults]\nformat = "csv"\n', encoding="utf-8")
    assert run("summarize", CLEAN, "--period", "2024").stdout.startswith("id,")
    assert run("summarize", CLEAN, "-p", "2024", "-f", "json").stdout.startswith("{")
    assert run("summarize", CLEAN, "-p", "2024", "-o", "out.json").exit_code == 0
    assert Path("out.json").read_text(encoding="utf-8").startswith("{")
    # an extension without a format keeps the config's
    assert run("summarize", CLEAN, "-p", "2024", "-o", "out.data").exit_code == 0
    assert Path("out.data").read_text(encoding="utf-8").startswith("id,")


def test_a_whole_number_from_the_config_rounds_and_the_command_line_overrides_it() -> None:
    """Markdown rounds the rates to --decimals: none from the config, three from the line."""
    def cell(*args: str) -> str:
        result = run("summarize", CLEAN, "-p", "2024", "-f", "markdown", *args)
        assert result.exit_code == 0, result.output
        return result.stdout

    Path("coopstats.toml").write_text("[defaults]\ndecimals = 0\n", encoding="utf-8")
    from_config, from_line = cell(), cell("--decimals", "3")
    assert "%" in from_config and from_config != from_line
    assert ".000" in from_line and ".000" not in from_config


# --- the structure of the command line ----------------------------------------------------------

MINE = ("cli", "options", "config", "days", "script", "commands")


def imports() -> dict[str, set[str]]:
    """Each module of the package and the package's modules it imports, at any depth of its
    code (a function's lazy import included)."""
    modules = {
        ".".join(("coopstats", *p.relative_to(SRC).with_suffix("").parts)).removesuffix(
            ".__init__"
        ): p
        for p in SRC.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                base = node.module
                found |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules}
                if base in modules:
                    found.add(base)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name in modules}
        graph[name] = found - {name}
    return graph


def test_the_command_line_modules_are_in_no_import_circle() -> None:
    graph = imports()

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    mine = [m for m in graph if m.removeprefix("coopstats.").split(".")[0] in MINE]
    assert "coopstats.commands.compare" in mine and "coopstats.config" in mine
    circles = {m for m in mine if m in reach(m)}
    assert not circles


def test_no_command_reads_the_context_s_parameters() -> None:
    for path in [SRC / "cli.py", *sorted((SRC / "commands").glob("*.py"))]:
        assert "ctx.params" not in path.read_text(encoding="utf-8"), path


def test_every_parameter_a_command_declares_is_read() -> None:
    """sqlite-utils' rule: an option that is declared is also read, in the command's own body
    (its `read: Reading` by the pipeline, `settle`)."""
    import inspect

    import typer

    group = typer.main.get_command(app)
    for name, command in getattr(group, "commands", {}).items():
        function = getattr(command.callback, "__wrapped__", command.callback)
        tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(function)))
        (definition,) = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        declared = {a.arg for a in (*definition.args.args, *definition.args.kwonlyargs)}
        read = {
            n.id for n in ast.walk(ast.Module(body=definition.body, type_ignores=[]))
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }  # fmt: skip
        assert "read" in declared and len(declared) > 3, name  # the command's own, found
        assert declared - read == set(), name


def test_the_command_line_s_own_errors_and_help_come_before_a_bad_config() -> None:
    """The config is read before the other options, but what is wrong with it is said when the
    command starts, as when each command read it: click's errors and --help come first."""
    Path("coopstats.toml").write_text('[defaults]\nperod = "2024"\n', encoding="utf-8")
    missing = run("validate")
    assert missing.exit_code == 2 and "Missing argument 'LOG'" in missing.stderr
    assert "perod" not in missing.stderr
    too_many = run("summarize", CLEAN, "--decimals", "99")
    assert too_many.exit_code == 2 and "99 is not in the range" in too_many.stderr
    helped = run("summarize", "--config", "coopstats.toml", "--help")
    assert helped.exit_code == 0 and "--config" in helped.stdout
    assert "perod" in run("summarize", CLEAN, "--decimals", "3").stderr
