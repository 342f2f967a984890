"""Subcommands that plugins add to `mldeploy-lint` (`mldeploy-lint NAME ...`).

A plugin returns `Command`s from the `mldeploy_commands` hook; the command
line builds the sub-parser, lets the command add its arguments, and calls
its `run` with a `CommandContext`: the run's plugin host and configuration,
linting through the same API as the `mldeploy-lint` command itself, and the
same careful writing of output. Nothing here names a platform or a rule.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from linter.config import Config
    from linter.engine import LintResult
    from linter.model import Environment
    from linter.plugin_manager import PluginHost

__all__ = ["Command", "CommandContext", "CommandError", "COMMAND_NAME"]

# What a command name looks like: it must not be mistaken for a path or an option.
COMMAND_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class CommandError(Exception):
    """A usage or input mistake a command reports: printed as `mldeploy-lint: error: ...`, exit 2."""


@dataclass(frozen=True)
class Command:
    """A subcommand a plugin adds.

    `name` is what follows `mldeploy-lint` (lower-case words joined by
    hyphens); `help` is one line for `mldeploy-lint --help`;
    `add_arguments(parser)` adds the command's arguments to its
    `argparse` sub-parser (the core adds `--config`, `--no-config` and
    `--plugin`); `run(args, context)` does the work and returns the exit
    code (0 clean, 1 findings or a negative answer, 2 usage errors; raise
    `CommandError` for the latter). Keep the module that defines the
    command light: import what `run` needs inside `add_arguments` and
    `run`, which are called only when the command is used.
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, "CommandContext"], int]
    description: str = ""


@dataclass(frozen=True)
class CommandContext:
    """What a running command gets from the core.

    `host` is the run's plugin host (rules, adapters, reporters of every
    installed plugin); `config` the configuration file's settings;
    `write(text, output=None, protected=())` writes `text` to standard
    output, or whole to the file `output` (never to one of `protected`,
    the files the command read: that is a usage error).
    """

    host: "PluginHost"
    config: "Config"
    write: Callable[..., None]

    def lint_paths(
        self, paths: Sequence[str], environment: "Environment | None" = None, context: str = "siblings"
    ) -> "LintResult":
        """Lint files as `mldeploy-lint PATH...` would, with this run's plugins and configuration."""
        from linter.api import lint_paths
        from linter.engine import LintOptions

        options = LintOptions(environment=environment, config=self.config)
        try:
            return lint_paths(paths, options, host=self.host, context=context)
        except FileNotFoundError as error:
            raise CommandError(f"no such file or directory: {error.args[0] if error.args else error}") from None
        except OSError as error:
            raise CommandError(f"cannot read {error.filename or ''}: {error.strerror or error}") from None

    def lint_text(self, text: str, path: str, environment: "Environment | None" = None) -> "LintResult":
        """Lint one in-memory text as if it were the file `path`."""
        from linter.api import lint_text
        from linter.engine import LintOptions

        return lint_text(text, path, LintOptions(environment=environment, config=self.config), host=self.host)
