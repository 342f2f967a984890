"""The `mldeploy-lint` command: parse arguments, run, report, exit.

Thin by design: linting goes through `linter.api`, output through a
reporter plugin. Exit codes: 0 no finding at or above `--fail-on`, 1 such
findings, 2 usage or configuration errors.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import os
import sys
from dataclasses import replace
from typing import Iterable, NoReturn, Sequence

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("rules", "explain", "lsp", "cache")

# Set to a list by `run`: the `mldeploy-lint` program holds each run's result there until the process ends.
_held_until_exit: list | None = None


class UsageError(Exception):
    """A mistake in the command line or configuration (exit 2)."""


def _split_csv(values: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(part.strip() for value in values or () for part in value.split(",") if part.strip())


def _common_plugin_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--plugin",
        action="append",
        metavar="MODULE",
        default=[],
        help="import MODULE as an extra plugin (repeatable); installed plugins load automatically",
    )


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's, given the terminal's width as `shutil.get_terminal_size` finds it, without importing shutil.

    argparse imports shutil for the width whenever a formatter is made
    without one (every `add_argument` makes one), and shutil brings in the
    zlib, bz2 and lzma modules: ~3 ms of every run's start-up.
    """

    def __init__(self, prog: str, **kwargs) -> None:
        kwargs.setdefault("width", _terminal_columns() - 2)
        super().__init__(prog, **kwargs)


def _terminal_columns() -> int:
    """The `columns` of `shutil.get_terminal_size()`: $COLUMNS, else standard output's terminal, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80
    return size.columns or 80


def _lint_parser(commands: Sequence[tuple[str, str]] = (), add_help: bool = True) -> argparse.ArgumentParser:
    from linter import __version__

    added = "".join(f"  mldeploy-lint {name} ...{' ' * max(1, 39 - len(name))}{help_text}\n" for name, help_text in commands)
    parser = argparse.ArgumentParser(
        prog="mldeploy-lint",
        description="Check that ML deployment configurations (CloudFormation, SageMaker, Kubernetes, Terraform) fit the workload.",
        epilog=(
            "subcommands:\n"
            "  mldeploy-lint rules [--format table|json|markdown]   list every rule\n"
            "  mldeploy-lint rules --format markdown --output-dir DIR\n"
            "                                                       write the rule reference, a page per rule\n"
            "  mldeploy-lint explain ID-or-slug                     show a rule's documentation\n"
            "  mldeploy-lint explain --deployments PATH...          show what the linter read, fact by fact\n"
            "  mldeploy-lint lsp [--tcp HOST:PORT]                  run the language server (stdio by default)\n"
            "  mldeploy-lint cache clean                            remove every entry of the parse cache\n"
            f"{added}\n"
            "exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration error"
        ),
        formatter_class=_HelpFormatter,
        add_help=add_help,
    )
    parser.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or directories to lint; '-' reads standard input (default: .)"
    )
    parser.add_argument("--format", default="text", metavar="NAME", help="output format: text (default), json, sarif, github, gitlab, junit")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument(
        "--select", action="append", metavar="RULES", help="only these rules: IDs, ID prefixes or slugs, comma-separated"
    )
    parser.add_argument("--ignore", action="append", metavar="RULES", help="skip these rules (same forms as --select)")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info", "never"),
        help="lowest severity that makes the exit code 1 (default: warning)",
    )
    parser.add_argument(
        "--environment",
        metavar="ENV",
        help="treat every deployment as this environment (prod, staging, dev or an alias such as production)",
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="PATTERN", help="skip paths matching PATTERN (gitignore syntax; repeatable)"
    )
    parser.add_argument(
        "--no-respect-gitignore", action="store_true", help="also lint files that .gitignore files exclude"
    )
    parser.add_argument("--stdin-filename", metavar="PATH", help="the path to report for input read from '-'")
    parser.add_argument(
        "--context",
        choices=("repository", "siblings", "none"),
        help="for files named explicitly, also read the other files of their repository (or only "
        "of their directories) so that cross-file links (an HPA and its Deployment) are seen; "
        "nothing is reported for them (default: repository)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        metavar="N",
        help="load files in N processes (default: one per CPU with 50 files or more and 3 CPUs or more, else 1)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="parse every file, neither reading nor writing the on-disk cache"
    )
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour text output (default: auto, on a terminal)"
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help="report the findings FILE records as suppressed: only new findings fail the run",
    )
    parser.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record the run's findings in FILE (JSON, one entry per finding) for --baseline",
    )
    parser.add_argument(
        "--show-suppressed",
        action="store_true",
        help="text output: list suppressed findings too, with their reasons",
    )
    parser.add_argument(
        "--show-source",
        action="store_true",
        help="text output: show each finding's source line with a caret under the offending value",
    )
    parser.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings per rule on standard output (a JSON list with --format json) "
        "instead of the report; with --output the report still goes to FILE",
    )
    parser.add_argument(
        "--category", default="", metavar="NAME", help="SARIF: the run's category (automationDetails.id), one per analysis uploaded"
    )
    _config_options(parser)
    _common_plugin_options(parser)
    parser.add_argument("--version", action="version", version=f"mldeploy-lint {__version__}")
    return parser


def _config_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--config",
        metavar="FILE",
        help="read settings from FILE (default: mldeploy-lint.toml, .mldeploy-lint.toml or pyproject.toml "
        "[tool.mldeploy-lint], searched from the working directory upwards)",
    )
    group.add_argument("--no-config", action="store_true", help="ignore any configuration file")


def _configured(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None, argv: Sequence[str] = ()):
    """The configuration file and the plugin host of a command: (config, host, args).

    The file is read first, for the plugins it names; with them and
    `--plugin` loaded, it is validated against the core schema and the
    plugins' sections. Given the command's `parser` and `argv`, the
    plugins' flags are added to it and `argv` is parsed again with them,
    their values validated with the file's (the parsed arguments are
    returned).
    """
    from linter.config import ConfigError, check_config, find_config, read_config
    from linter.plugin_manager import PluginConfigError

    path = None if getattr(args, "no_config", False) else (args.config or find_config("."))
    verdicts_for = None if getattr(args, "no_cache", False) else _config_verdicts
    try:
        config = read_config(path, verdicts_for)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    host = _host(list(config.get("plugins", [])) + args.plugin)
    try:
        sections = host.option_sections()
    except PluginConfigError as error:
        raise UsageError(str(error)) from None
    flag_values: dict[tuple[str, str], object] = {}
    flags: dict[tuple[str, str], str] = {}
    if parser is not None:
        destinations = _add_plugin_flags(parser, sections)
        args = parser.parse_args(argv)
        for destination, (section, key, flag) in destinations.items():
            value = getattr(args, destination, None)
            if value is not None:
                flag_values[(section, key)] = value
                flags[(section, key)] = flag
    try:
        config = check_config(config, sections, flag_values, flags, verdicts_for and verdicts_for(config))
    except ConfigError as error:
        raise UsageError(str(error)) from None
    return config, host, args


def _config_verdicts(config):
    """The disk cache, where the configuration's validity is remembered (see `linter.config`); None when unusable.

    Read before the settings are checked: a `cache-dir` that is not a
    string is left to the check to report. Nothing is said here about an
    unusable directory: the lint's own opening of the cache says it.
    """
    from linter.disk_cache import open_cache

    directory = config.get("cache-dir")
    if directory is not None and not isinstance(directory, str):
        return None
    return open_cache(config.cache_directory(), "")


# JSON-Schema types of a section's keys, as argparse converts a flag's value.
_FLAG_TYPES = {"integer": int, "number": float, "string": str}


def _add_plugin_flags(parser: argparse.ArgumentParser, sections) -> dict[str, tuple[str, str, str]]:
    """Add each plugin section's flags to `parser`, a group per section; destination -> (section, key, flag).

    A flag the core already has is a usage error naming the plugin.
    """
    from linter.config import ConfigError, config_schema

    try:
        schema = config_schema(sections)["properties"]
    except ConfigError as error:
        raise UsageError(str(error)) from None
    destinations: dict[str, tuple[str, str, str]] = {}
    for plugin, section in sections:
        if not section.options:
            continue
        group = parser.add_argument_group(f"plugin {plugin} (configuration section [{section.name}])")
        for option in section.options:
            destination = f"plugin_option_{len(destinations)}"
            key_schema = schema.get(section.name, {}).get("properties", {}).get(option.key, {})
            try:
                if option.metavar is None:
                    group.add_argument(option.flag, dest=destination, action="store_const", const=True, help=option.help)
                elif key_schema.get("type") == "array":
                    item_type = _FLAG_TYPES.get(key_schema.get("items", {}).get("type"), str)
                    group.add_argument(
                        option.flag, dest=destination, action="append", type=item_type, metavar=option.metavar, help=option.help
                    )
                else:
                    group.add_argument(
                        option.flag, dest=destination, type=_FLAG_TYPES.get(key_schema.get("type"), str),
                        metavar=option.metavar, help=option.help,
                    )
            except argparse.ArgumentError as error:
                raise UsageError(f"plugin {plugin!r} declares flag {option.flag}, which mldeploy-lint already has: {error}") from None
            destinations[destination] = (section.name, option.key, option.flag)
    return destinations


def _rules_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mldeploy-lint rules", description="List every registered rule.")
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        help="with --format markdown: write an index (README.md) and one page per rule (<ID>.md) into DIR",
    )
    _config_options(parser)
    _common_plugin_options(parser)
    return parser


def _explain_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mldeploy-lint explain",
        description=(
            "Show a rule's documentation (explain ID-or-slug), or what the linter believes about "
            "each deployment in some files and where each fact came from (explain --deployments PATH...)."
        ),
    )
    parser.add_argument("targets", nargs="+", metavar="ID-or-slug | PATH")
    parser.add_argument("--deployments", action="store_true", help="explain the deployments found in PATHs")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="for --deployments (default: text)")
    parser.add_argument("--environment", metavar="ENV", help="as for linting: treat every deployment as ENV")
    parser.add_argument("--stdin-filename", metavar="PATH", help="the path to report for input read from '-'")
    _config_options(parser)
    _common_plugin_options(parser)
    return parser


def run() -> NoReturn:
    """The `mldeploy-lint` program (the console script, `python -m linter`): `main()`, then end the process.

    A lint run keeps every document it loaded until it ends. Freeing them
    object by object, then tearing the interpreter down, gives back nothing
    the end of the process does not, and costs a twentieth of a large run's
    CPU time (bench/README.md). So the program holds each run's result and,
    once the exit handlers have run (`atexit`: a plugin's, and the
    `weakref.finalize` callbacks that stop the cfn-lint process and remove
    its scratch directory) and standard output and error are flushed, ends
    with `os._exit`. It exits the usual way where that cannot be done
    safely: a thread other than the main one still running (the usual exit
    waits for it), or no way to run the exit handlers. In-process callers of
    `main()` (tests, tools) free as usual.
    """
    import atexit

    global _held_until_exit
    _held_until_exit = []
    code = main()
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None or _other_threads_running():
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # closed, or replaced by nothing usable
            stream.flush()
    os._exit(code)


def _other_threads_running() -> bool:
    """True when a thread other than the main one, and not a daemon, is alive (only if threading was imported)."""
    threading = sys.modules.get("threading")
    if threading is None:
        return False
    main_thread = threading.main_thread()
    return any(thread is not main_thread and not thread.daemon and thread.is_alive() for thread in threading.enumerate())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from linter.commands import COMMAND_NAME, CommandError
    from linter.discovery import PatternError
    from linter.plugin_manager import PluginRenderError

    args = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None or sys.stderr is None:  # started with a closed descriptor (`>&-`): nobody reads
        sys.stdout = sys.stdout or open(os.devnull, "w", encoding="utf-8")
        sys.stderr = sys.stderr or open(os.devnull, "w", encoding="utf-8")
    try:
        if args and args[0] in SUBCOMMANDS and not os.path.exists(args[0]):
            command = args.pop(0)
            if command == "lsp":
                return _run_lsp(args)
            if command == "cache":
                return _run_cache(args)
            return _run_rules(args) if command == "rules" else _run_explain(args)
        if args and COMMAND_NAME.match(args[0]) and not os.path.exists(args[0]):
            plugin_command = _plugin_commands(_prescan_plugins(args[1:])).get(args[0])
            if plugin_command is not None:
                return _run_command(plugin_command, args[1:])
        return _run_lint(args)
    except (UsageError, PatternError, PluginRenderError, CommandError) as error:  # PatternError: a bad --exclude pattern
        print(f"mldeploy-lint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _host(plugin_modules: Sequence[str]):
    from linter.plugin_manager import PluginConfigError, build_plugin_host

    try:
        host = build_plugin_host(plugin_modules)
        host.rules()
    except PluginConfigError as error:
        raise UsageError(str(error)) from None
    return host


def _prescan_plugins(argv: Sequence[str]) -> list[str]:
    """The modules `--plugin MODULE` (or `--plugin=MODULE`) names in `argv`, before it is parsed."""
    modules = []
    for index, word in enumerate(argv):
        if word == "--plugin" and index + 1 < len(argv):
            modules.append(argv[index + 1])
        elif word.startswith("--plugin="):
            modules.append(word.split("=", 1)[1])
    return modules


def _plugin_commands(plugin_modules: Sequence[str]) -> dict:
    """The subcommands plugins add, by name (a clash is a usage error)."""
    from linter.plugin_manager import PluginConfigError, build_plugin_host

    try:
        return build_plugin_host(plugin_modules).commands(reserved=SUBCOMMANDS)
    except PluginConfigError as error:
        raise UsageError(str(error)) from None


def _run_command(command, argv: list[str]) -> int:
    """Parse a plugin command's arguments and run it with this run's plugins and configuration.

    An exception from the command other than a `CommandError` is reported on
    one line naming the command and where it was raised (exit 2).
    """
    from linter.commands import CommandContext, CommandError
    from linter.discovery import PatternError

    parser = argparse.ArgumentParser(
        prog=f"mldeploy-lint {command.name}",
        description=command.description or command.help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_arguments(parser)
    _config_options(parser)
    _common_plugin_options(parser)
    args = parser.parse_args(argv)
    config, host, args = _configured(args)
    _warn_load_failures(host)

    def write(text: str, output: str | None = None, protected: Sequence[str] = ()) -> None:
        _write(text, output, inputs=protected)

    try:
        code = command.run(args, CommandContext(host=host, config=config, write=write))
    except (UsageError, CommandError, PatternError, KeyboardInterrupt):
        raise
    except Exception as error:  # noqa: BLE001 - a plugin's failure is reported as its own, never a traceback
        import traceback

        frame = traceback.extract_tb(error.__traceback__)[-1]
        raise UsageError(
            f"command {command.name!r} failed: {type(error).__name__}: {error} "
            f"(at {os.path.basename(frame.filename)}:{frame.lineno}); this is a bug in the plugin that provides it"
        ) from None
    if not isinstance(code, int) or isinstance(code, bool):
        raise UsageError(f"command {command.name!r} returned {code!r}, not an exit code")
    return code


def _warn_load_failures(host) -> None:
    """Tell on stderr about plugins that failed to load (linting reports them as MD002)."""
    for failure in host.load_failures:
        print(f"mldeploy-lint: warning: plugin {failure.plugin!r} {failure.message}", file=sys.stderr)


def _run_lint(argv: list[str]) -> int:
    from linter.discovery import DiscoveryOptions
    from linter.engine import DEFAULT_FILE_TIMEOUT, LintOptions
    from linter.profile import normalise_environment
    from linter.rules import RuleSelector, SelectionError, Severity

    commands = ()
    if "-h" in argv or "--help" in argv:  # list the commands plugins add; linting itself never asks
        commands = tuple((name, item.help) for name, item in sorted(_plugin_commands(_prescan_plugins(argv)).items()))
    # The configuration file and --plugin say which plugins add flags: read them first, then parse with their flags.
    early, _ = _lint_parser(commands, add_help=False).parse_known_args(argv)
    try:
        config, host, args = _configured(early, _lint_parser(commands), argv)
    except UsageError:
        if "-h" in argv or "--help" in argv:  # help even when the configuration is broken: without plugins' flags
            _lint_parser(commands).parse_args(argv)
        raise
    reporters = _reporters(host)
    reporter = reporters.get(args.format)
    if reporter is None:
        raise UsageError(f"unknown --format {args.format!r} (choose from {', '.join(sorted(reporters))})")

    select = _split_csv(args.select) or tuple(config.get("select", ()))
    ignore = tuple(config.get("ignore", ())) + _split_csv(args.ignore)
    selector = RuleSelector(select, ignore)
    try:
        selector.validate(host.rules())
    except SelectionError as error:
        raise UsageError(f"{error} (in {config.path})" if not args.select and config.get("select") else str(error)) from None
    _validate_configured_selectors(config, host.rules())
    environment = None
    wanted_environment = args.environment or config.get("environment")
    if wanted_environment:
        environment = normalise_environment(wanted_environment)
        if environment is None:
            raise UsageError(f"unknown environment {wanted_environment!r} (use prod, staging or dev)")

    options = LintOptions(
        selector=selector,
        environment=environment,
        config=config,
        file_timeout=config.get("file-timeout", DEFAULT_FILE_TIMEOUT),
        baseline=_baseline(args.baseline),
        jobs=args.jobs or config.get("jobs"),
        disk_cache=None if args.no_cache else _disk_cache(host, config),
    )
    respect_gitignore = False if args.no_respect_gitignore else config.get("respect-gitignore", True)
    discovery = DiscoveryOptions(
        exclude=tuple(config.get("exclude", ())) + tuple(args.exclude), respect_gitignore=respect_gitignore
    )
    result = _lint(args, host, options, discovery)

    fail_on_name = args.fail_on or config.get("fail-on", "warning")
    fail_on = None if fail_on_name == "never" else Severity(fail_on_name)
    _warn_nothing_recognised(result)
    exit_code = EXIT_CLEAN
    if fail_on is not None and any(
        finding.severity.rank >= fail_on.rank for finding in result.findings if finding.suppression is None
    ):
        exit_code = EXIT_FINDINGS
    report = _report(result, fail_on, _use_color(args.color, args.output), args.show_source)
    report = replace(
        report,
        show_suppressed=args.show_suppressed,
        exit_code=exit_code,
        baseline_stale=result.baseline_stale,
        category=args.category,
    )
    # In pieces when the reporter can: written as they are made, never held whole.
    text = reporter.stream(report) if reporter.stream is not None else reporter.render(report)
    # Never overwrite what was linted: the paths named, and every file that held
    # something an adapter read. An old report found by a directory walk is no input.
    protected = (*args.paths, *(summary.path for summary in result.files if summary.recognised or summary.deployments))
    if args.statistics:
        if args.output:
            _write(text, args.output, inputs=protected)
        _write(statistics(report.active, as_json=args.format == "json"), None)
    else:
        _write(text, args.output, inputs=protected)
    if args.write_baseline:
        from linter.baseline import baseline_text

        _write(baseline_text(result.findings), args.write_baseline, inputs=protected)
    if options.disk_cache is not None:  # once the report is out; at most once a day
        options.disk_cache.maybe_prune()
    if result.baseline_stale and args.format != "text":  # the text summary says it already
        count = result.baseline_stale
        print(
            f"mldeploy-lint: note: {count} baseline entr{'y' if count == 1 else 'ies'} no longer match"
            f"{'es' if count == 1 else ''}: run --write-baseline to drop {'it' if count == 1 else 'them'}",
            file=sys.stderr,
        )
    return exit_code


def _baseline(path: str | None):
    if not path:
        return None
    from linter.baseline import BaselineError, load_baseline

    try:
        return load_baseline(path)
    except BaselineError as error:
        raise UsageError(str(error)) from None


def _validate_configured_selectors(config, rules) -> None:
    """Rule selectors in `per-file-ignores` and `[severity]` must name rules (exit 2 with a hint)."""
    from linter.rules import RuleSelector, SelectionError

    for table in ("per-file-ignores", "severity"):
        entries = config.get(table) or {}
        for key, value in entries.items():
            selectors = tuple(value) if table == "per-file-ignores" else (key,)
            try:
                RuleSelector(selectors).validate(rules)
            except SelectionError as error:
                where = f"{table}.{key!r}" if table == "per-file-ignores" else table
                raise UsageError(f"{config.path}: {where}: {error}") from None


def statistics(findings, as_json: bool = False) -> str:
    """Findings counted per rule, as ruff's `--statistics`: most frequent first, then by rule ID.

    Text: one line per rule, `COUNT  ID  slug`, counts right-aligned; JSON:
    a list of `{"rule", "slug", "count"}`. Empty (`[]` in JSON) when there
    is no finding.
    """
    import json
    from collections import Counter

    counts = Counter((finding.rule_id, finding.slug) for finding in findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    if as_json:
        return json.dumps([{"rule": rule, "slug": slug, "count": count} for (rule, slug), count in rows], indent=2) + "\n"
    if not rows:
        return ""
    count_width = max(len(str(count)) for _, count in rows)
    id_width = max(len(rule) for (rule, _), _ in rows)
    return "".join(f"{count:>{count_width}}  {rule:<{id_width}}  {slug}\n" for (rule, slug), count in rows)


def _lint(args: argparse.Namespace, host, options, discovery):
    """Lint through `linter.api.lint_paths`, as library callers do; context defaults to "repository" (the setting's default)."""
    from linter.api import lint_paths

    context = getattr(args, "context", None) or options.config.get("context", "repository")
    notes: list[str] = []
    try:
        result = lint_paths(
            args.paths, options, discovery, host, context, stdin_name=args.stdin_filename or "<stdin>", notes=notes
        )
    except FileNotFoundError as error:
        raise UsageError(f"no such file or directory: {error.args[0] if error.args else error}") from None
    except OSError as error:
        raise UsageError(f"cannot read {error.filename or ''}: {error.strerror or error}") from None
    if _held_until_exit is not None:
        _held_until_exit.append(result)
    for note in notes:
        print(f"mldeploy-lint: note: {note}", file=sys.stderr)
    return result


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def _disk_cache(host, config):
    """The on-disk parse cache of this run: `cache-dir` of the configuration, else the platform's place; None if unusable."""
    from linter.disk_cache import open_cache, run_salt

    notes: list[str] = []
    cache = open_cache(config.cache_directory(), run_salt(host, config), notes)
    for note in notes:
        print(f"mldeploy-lint: note: {note}", file=sys.stderr)
    return cache


def _cache_parser() -> argparse.ArgumentParser:
    from linter.disk_cache import MAX_TOTAL_BYTES, MAX_UNUSED_DAYS

    parser = argparse.ArgumentParser(
        prog="mldeploy-lint cache",
        description="Manage the on-disk parse cache (`cache-dir` of the configuration, else the platform's place). "
        f"Runs prune it themselves, at most once a day: entries unused for {MAX_UNUSED_DAYS} days go, then the least "
        f"recently used above {MAX_TOTAL_BYTES // 2**20} MiB.",
    )
    parser.add_argument("action", choices=("clean",), help="clean: remove every entry (only the cache's own files)")
    _config_options(parser)
    return parser


def _run_cache(argv: list[str]) -> int:
    """`mldeploy-lint cache clean`: say where and how much was removed."""
    from linter.config import ConfigError, find_config, read_config
    from linter.disk_cache import clean_cache

    args = _cache_parser().parse_args(argv)
    path = None if args.no_config else (args.config or find_config("."))
    try:
        config = read_config(path)  # only `cache-dir` is read: a plugin's broken section does not stop cleaning
    except ConfigError as error:
        raise UsageError(str(error)) from None
    directory = config.get("cache-dir")
    if directory is not None and not isinstance(directory, str):
        raise UsageError(f"{config.path}: cache-dir must be a string")
    directory, removed = clean_cache(config.cache_directory())
    print(f"removed {removed.files} cache file{'s' if removed.files != 1 else ''} ({removed.bytes / 1e6:.1f} MB) from {directory}")
    return EXIT_CLEAN


def _reporters(host) -> dict:
    from linter.plugin_manager import PluginConfigError

    try:
        return host.reporters()
    except PluginConfigError as error:
        raise UsageError(str(error)) from None


def _report(result, fail_on, color: bool, show_source: bool = False):
    from linter import __version__
    from linter.reporting import Report

    return Report(
        findings=result.findings,
        files=result.files,
        rules=result.rules,
        tool_version=__version__,
        fail_on=fail_on,
        color=color,
        working_directory=os.getcwd(),
        texts=result.texts,
        show_source=show_source,
    )


def _warn_nothing_recognised(result) -> None:
    """Say on stderr when the run linted files but none held a deployment: a clean report would mislead."""
    if not result.files:
        print("mldeploy-lint: warning: no files to lint (looked for *.yaml, *.yml, *.json, *.template)", file=sys.stderr)
    elif not result.findings and not any(item.recognised or item.deployments for item in result.files):
        from linter.reporting import escape_control

        count = len(result.files)
        which = f"{escape_control(result.files[0].path)} holds no" if count == 1 else f"none of the {count} files linted holds a"
        print(
            f"mldeploy-lint: warning: {which} deployment configuration the linter recognises "
            "(CloudFormation/SAM/CDK, SageMaker API requests, Kubernetes manifests); "
            "`mldeploy-lint explain --deployments PATH` shows what was read",
            file=sys.stderr,
        )


def _use_color(choice: str, output: str | None) -> bool:
    if choice != "auto":
        return choice == "always"
    if output or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _write(text: str | Iterable[str], output: str | None, inputs: Sequence[str] = ()) -> None:
    """Write the report (its whole text, or its pieces in order) to `output`, or to standard output.

    A file is written whole or not at all: to a temporary file beside it,
    then renamed over it, so a symbolic link at `output` is replaced, never
    written through. A character device or a named pipe (`/dev/null`) is
    written into, never replaced; a link to one (`/dev/stdout`), or to a
    process's descriptor, is refused, and so is anything else that is not a
    file (a directory, a socket, a block device). An `output` that is one
    of `inputs` (the same file, through a link or not) is refused (exit 2)
    before a piece is made.

    Standard output gets UTF-8 when its encoding cannot hold the text (JSON
    and SARIF are UTF-8 by definition). A reader that has gone (`| head`)
    or a closed descriptor ends the writing quietly, as other command-line
    tools do; any other failure is an error (exit 2).
    """
    pieces: Iterable[str] = (text,) if isinstance(text, str) else text
    if output:
        if any(_same_file(output, path) for path in inputs):
            raise UsageError(f"--output {output} is one of the files being linted; write the report elsewhere")
        kind = _output_kind(output)
        if kind == "link to a stream":
            raise UsageError(
                f"--output {output} is a link to a device, a pipe or a descriptor, which would be replaced, not written "
                "through; leave out --output to write to standard output"
            )
        if kind not in ("file", "stream"):
            raise UsageError(f"cannot write {output}: it is {kind}, not a file")
        chunks = (piece.encode("utf-8", "backslashreplace") for piece in pieces)
        try:
            if kind == "stream":
                with open(output, "wb") as stream:  # a device or a pipe: written into, as a shell's `>` would
                    for chunk in chunks:
                        stream.write(chunk)
            else:
                _replace_file(output, chunks)
        except OSError as error:
            raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
        return
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    if not isinstance(text, str) and not _utf8_with_buffer(stream, encoding):
        # Whether the whole text fits the stream's encoding decides how all of it is written.
        pieces = ("".join(pieces),)
    try:
        for piece in pieces:
            _write_piece(stream, piece, encoding)
        stream.flush()
    except (BrokenPipeError, ConnectionResetError):
        _discard_standard_output()
    except OSError as error:
        _discard_standard_output()
        if error.errno == errno.EBADF:
            return
        raise UsageError(f"cannot write to standard output: {error.strerror or error}") from None


def _utf8_with_buffer(stream, encoding: str) -> bool:
    """Whether pieces can go to `stream` one by one with the bytes the whole text would get.

    So they can when its encoding is UTF-8 and it has a byte buffer: a piece
    UTF-8 cannot encode (a lone surrogate) goes to the buffer as the whole
    text would, and every other piece is written as UTF-8 either way.
    """
    try:
        return codecs.lookup(encoding).name == "utf-8" and getattr(stream, "buffer", None) is not None
    except LookupError:
        return False


def _write_piece(stream, text: str, encoding: str) -> None:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        if getattr(stream, "buffer", None) is None:
            text = text.encode("ascii", "backslashreplace").decode("ascii")
        else:
            stream.flush()
            stream.buffer.write(text.encode("utf-8", "backslashreplace"))
            stream.buffer.flush()
            return
    stream.write(text)


def _same_file(output: str, path: str) -> bool:
    try:
        return os.path.samefile(output, path)
    except (OSError, ValueError):  # either does not exist (or is `-`): not the same file
        return False


def _output_kind(path: str) -> str:
    """What `--output` names: "file" (a regular file, a link or nothing, to be replaced), "stream" (a
    character device or a named pipe, to be written into), "link to a stream", or what else it is."""
    import stat

    try:
        status = os.lstat(path)
    except (OSError, ValueError):
        return "file"  # nothing there (or unreachable: replacing it says why)
    mode = status.st_mode
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream"
    if stat.S_ISLNK(mode):
        try:
            # /dev/stdout and /dev/fd/N name a process's descriptors through /proc, whatever they point at.
            if os.readlink(path).startswith("/proc/"):
                return "link to a stream"
            target = os.stat(path).st_mode
        except OSError:
            return "file"  # a dangling link: replaced
        return "file" if stat.S_ISREG(target) or stat.S_ISDIR(target) else "link to a stream"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a block device" if stat.S_ISBLK(mode) else "not a file"


def _replace_file(path: str, chunks: Iterable[bytes]) -> None:
    """Write `chunks`, in order, to a temporary file beside `path`, then rename it to `path`
    (atomic, never through a link; the temporary file is removed when anything fails, making a chunk included)."""
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as open() would have created it, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _discard_standard_output() -> None:
    """Point standard output at the null device, so that the flush at exit cannot fail (and print) again."""
    try:
        target = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != target:  # with the descriptor closed, the null device may have been given its number
            os.dup2(devnull, target)
            os.close(devnull)
    except (OSError, ValueError):  # not a real descriptor (captured in tests): nothing flushes it at exit
        pass


def _run_rules(argv: list[str]) -> int:
    from linter import rule_docs

    args = _rules_parser().parse_args(argv)
    _, host, args = _configured(args)
    if args.output_dir and args.format != "markdown":
        raise UsageError("--output-dir needs --format markdown")
    rules = host.rules()
    _warn_load_failures(host)
    if args.format == "json":
        text = rule_docs.rules_json(rules)
    elif args.format == "markdown" and args.output_dir:
        _write_pages(rule_docs.rule_pages(rules), args.output_dir)
        return EXIT_CLEAN
    elif args.format == "markdown":
        text = _human(rule_docs.rules_markdown(rules))
    else:
        text = _human(rule_docs.rules_table(rules))
    _write(text, None)
    return EXIT_CLEAN


def _human(text: str) -> str:
    """Text for a terminal: every line's control characters escaped (plugins write rule docs too)."""
    from linter.reporting import escape_control

    return "\n".join(escape_control(line) for line in text.split("\n"))


def _write_pages(pages: dict[str, str], directory: str) -> None:
    """Write the rule pages into `directory`, touching only files it wrote itself.

    A file is ours when it starts with the generated-file marker. A
    non-empty directory is written into only when its README.md is ours; a
    page that would replace a file not ours stops the run (exit 2) before
    anything is written; pages of rules that no longer exist are removed
    when they are ours, and every other file is left alone.
    """
    from linter import rule_docs

    if os.path.lexists(directory) and not os.path.isdir(directory):
        raise UsageError(f"--output-dir {directory} is not a directory")
    try:
        os.makedirs(directory, exist_ok=True)
        present = sorted(os.listdir(directory))
    except OSError as error:
        raise UsageError(f"cannot write {directory}: {error.strerror or error}") from None
    ours = {name for name in present if name.endswith(".md") and _is_generated_page(os.path.join(directory, name))}
    if present and rule_docs.INDEX_PAGE not in ours:
        raise UsageError(
            f"{directory} is not empty and holds no rule reference written by `mldeploy-lint rules` "
            f"(no {rule_docs.INDEX_PAGE} with its generated-file marker); choose a new or empty directory"
        )
    for name in pages:
        if name in present and name not in ours:
            raise UsageError(
                f"{os.path.join(directory, name)} was not written by `mldeploy-lint rules` "
                "(no generated-file marker); move it away to regenerate the rule reference"
            )
    try:
        for name in sorted(ours - set(pages)):
            os.unlink(os.path.join(directory, name))
        for name, text in pages.items():
            _replace_file(os.path.join(directory, name), (text.encode("utf-8"),))
    except OSError as error:
        raise UsageError(f"cannot write {directory}: {error.strerror or error}") from None


def _is_generated_page(path: str) -> bool:
    """True when `path` is a regular file (not a link) that starts with the generated-file marker."""
    from linter import rule_docs
    from linter.discovery import read_regular_file

    if os.path.islink(path):
        return False
    try:
        head, _ = read_regular_file(path, 4096)
    except OSError:
        return False
    return rule_docs.is_generated_page(head.decode("utf-8", "replace"))


def _lsp_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mldeploy-lint lsp",
        description="Run the language server: diagnostics for the deployment configurations an editor has open.",
    )
    parser.add_argument("--stdio", action="store_true", help="talk over standard input and output (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on HOST:PORT instead of standard input and output")
    return parser


def _run_lsp(argv: list[str]) -> int:
    """Serve until the client exits; pygls is imported here and nowhere else."""
    args = _lsp_parser().parse_args(argv)
    tcp = None
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise UsageError(f"--tcp wants HOST:PORT, not {args.tcp!r}")
        tcp = (host, int(port))
    from linter.lsp import serve

    serve(tcp)
    return EXIT_CLEAN


def _run_explain(argv: list[str]) -> int:
    from linter import rule_docs
    from linter.rules import RuleSelector

    args = _explain_parser().parse_args(argv)
    config, host, args = _configured(args)
    if args.deployments:
        return _explain_deployments(args, host, config)
    if len(args.targets) != 1:
        raise UsageError("explain takes one rule ID or slug (or --deployments PATH...)")
    wanted = args.targets[0].strip()
    matches = [candidate for candidate in host.rules() if candidate.id == wanted.upper() or candidate.slug == wanted]
    if not matches:
        prefix = [candidate.id for candidate in host.rules() if RuleSelector((wanted,)).enabled(candidate)]
        hint = f" (rules with that prefix: {', '.join(prefix)})" if prefix else " (see `mldeploy-lint rules`)"
        raise UsageError(f"no rule with ID or slug {wanted!r}{hint}")
    _write(_human(rule_docs.rule_markdown(matches[0])), None)
    return EXIT_CLEAN


def _explain_deployments(args: argparse.Namespace, host, config) -> int:
    from linter.discovery import DiscoveryOptions
    from linter.engine import LintOptions
    from linter.explain import explain_json, explain_text
    from linter.profile import normalise_environment
    from linter.rules import RuleSelector

    wanted_environment = args.environment or config.get("environment")
    environment = normalise_environment(wanted_environment) if wanted_environment else None
    if wanted_environment and environment is None:
        raise UsageError(f"unknown environment {wanted_environment!r} (use prod, staging or dev)")
    args.paths = args.targets
    # The rules the configuration enables run, for what they could not judge (`not judged:` lines); their
    # findings are the lint's business. The linter's own findings (unreadable files, plugin errors) explain
    # gaps — save MD003, whose unused suppressions depend on which rules ran.
    selector = RuleSelector(tuple(config.get("select", ())), tuple(config.get("ignore", ())))
    options = LintOptions(selector=selector, environment=environment, config=config)
    result = _lint(args, host, options, DiscoveryOptions())
    base = os.getcwd()
    render = explain_json if args.format == "json" else explain_text
    text = render(result.deployments, result.scaling_targets, base, rules=host.rules(), not_judged=result.not_judged)
    problems = [finding for finding in result.findings if finding.rule_id.startswith("MD") and finding.rule_id != "MD003"]
    if problems and args.format == "text":
        text += "Problems while reading:\n" + "".join(
            _human(f"  {finding.path}:{finding.span.line}:{finding.span.column}: {finding.rule_id} {finding.message}") + "\n"
            for finding in problems
        )
    _write(text, None)
    return EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    run()
