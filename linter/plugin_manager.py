"""Build one plugin host per run, workspace or test — never a global one.

Plugins come from the entry-point group `mldeploy_lint` (built-in and
third-party alike) and from modules named explicitly (`--plugin MODULE`).
Loading each entry point is wrapped so that a broken plugin names itself
instead of killing the run; calling hooks one implementation at a time
lets the engine attribute a failure to the plugin that raised. A failure
is anything a plugin raises but KeyboardInterrupt: `sys.exit(0)` from a
hook is a plugin error, never a clean exit. A hook that returns the wrong
type of result fails the same way.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import FunctionType, MethodType, ModuleType
from typing import Any, Callable, Iterable, Iterator, Sequence

import pluggy

from linter import hookspecs
from linter.commands import COMMAND_NAME, Command
from linter.deadline import Overrun
from linter.reporting import Reporter
from linter.model import ScalingTarget
from linter.nodes import Node
from linter.options import FLAG_NAME, SECTION_NAME, OptionSection
from linter.rules import Rule
from linter.source_codec import NodeCodec

__all__ = ["PluginHost", "PluginFailure", "PluginConfigError", "PluginRenderError", "build_plugin_host"]


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded, and why."""

    plugin: str
    message: str


class PluginConfigError(Exception):
    """Plugins that cannot work together (duplicate rule IDs, a missing --plugin)."""


class PluginRenderError(Exception):
    """A reporter that failed to render the report: there is no report left to carry a finding."""


class HookResultError(TypeError):
    """A hook returned a result of the wrong type."""


@dataclass(frozen=True)
class HookResult:
    """One implementation's outcome: its result, or the exception it raised."""

    plugin: str
    result: Any = None
    error: BaseException | None = None


@dataclass
class PluginHost:
    """A pluggy manager plus what this project needs around it."""

    manager: pluggy.PluginManager
    load_failures: list[PluginFailure] = field(default_factory=list)
    _rules: list[Rule] | None = None
    _sections: tuple[tuple[str, OptionSection], ...] | None = None
    _non_stage_names: tuple[str, ...] | None = None
    _node_codecs: "tuple[NodeCodec, ...] | None" = None
    # The plugin whose hook implementation `call_each` called last (for
    # reporting a stage that ran out of time inside it).
    running: str = ""

    def call_each(self, hook_name: str, **kwargs: Any) -> Iterator[HookResult]:
        """Call every implementation of a hook separately, catching failures.

        Yields one HookResult per implementation that returned non-None or
        raised, in pluggy's calling order.
        """
        hook = getattr(self.manager.hook, hook_name)
        check = _RESULT_CHECKS.get(hook_name, _unchecked)
        for impl in reversed(hook.get_hookimpls()):
            self.running = impl.plugin_name
            try:
                result = impl.function(*[kwargs[name] for name in impl.argnames])  # as pluggy calls them
                if result is not None:
                    result = check(hook_name, result)
            except (KeyboardInterrupt, Overrun):  # a stage out of time is the engine's to report
                raise
            except BaseException as error:  # isolation is the point: SystemExit from a plugin too
                yield HookResult(impl.plugin_name, error=error)
                continue
            if result is not None:
                yield HookResult(impl.plugin_name, result)

    def _answers(self, hook_name: str) -> Iterator[HookResult]:
        """The implementations' results of a hook asked once per run; each that raised is recorded in `load_failures`."""
        for outcome in self.call_each(hook_name):
            if outcome.error is not None:
                self.load_failures.append(
                    PluginFailure(outcome.plugin, f"{type(outcome.error).__name__}: {outcome.error} (in {hook_name})")
                )
                continue
            yield outcome

    def rules(self) -> list[Rule]:
        """Every registered rule, sorted by ID; duplicates raise PluginConfigError.

        A plugin whose `mldeploy_rules` raises is recorded in `load_failures`.
        """
        if self._rules is not None:
            return self._rules
        by_id: dict[str, Rule] = {}
        by_slug: dict[str, Rule] = {}
        for outcome in self._answers("mldeploy_rules"):
            for candidate in outcome.result:
                if not isinstance(candidate, Rule):
                    self.load_failures.append(
                        PluginFailure(outcome.plugin, f"mldeploy_rules returned {candidate!r}, not a Rule")
                    )
                    continue
                owned = _with_plugin(candidate, outcome.plugin)
                for index, key in ((by_id, owned.id), (by_slug, owned.slug)):
                    clash = index.get(key)
                    if clash is not None:
                        raise PluginConfigError(
                            f"rule {key} is registered twice: by plugin {clash.plugin!r} and by plugin {owned.plugin!r}"
                        )
                by_id[owned.id] = owned
                by_slug[owned.slug] = owned
        self._rules = sorted(by_id.values(), key=lambda item: item.id)
        return self._rules

    def reporters(self) -> dict[str, Reporter]:
        """Every output format by name; duplicates raise PluginConfigError."""
        found: dict[str, Reporter] = {}
        owners: dict[str, str] = {}
        for outcome in self._answers("mldeploy_reporters"):
            for reporter in outcome.result:
                reporter = _guarded_reporter(reporter, outcome.plugin)
                _own(owners, reporter.name, outcome.plugin, f"output format {reporter.name!r}")
                found[reporter.name] = reporter
        return found

    def commands(self, reserved: Sequence[str] = ()) -> dict[str, Command]:
        """Every subcommand plugins add, by name; a duplicate, a name in `reserved` or a malformed name raises PluginConfigError.

        A plugin whose `mldeploy_commands` raises is recorded in `load_failures`.
        """
        found: dict[str, Command] = {}
        owners: dict[str, str] = {}
        for outcome in self._answers("mldeploy_commands"):
            for command in outcome.result:
                if not COMMAND_NAME.match(command.name):
                    raise PluginConfigError(
                        f"plugin {outcome.plugin!r} adds a command named {command.name!r}: "
                        "use lower-case words joined by hyphens"
                    )
                if command.name in reserved:
                    raise PluginConfigError(
                        f"plugin {outcome.plugin!r} adds a command {command.name!r}, which is a built-in subcommand"
                    )
                _own(owners, command.name, outcome.plugin, f"command {command.name!r}")
                found[command.name] = command
        return found

    def option_sections(self) -> tuple[tuple[str, OptionSection], ...]:
        """Every (plugin, section) the plugins declare, in plugin order; a malformed name or a flag declared twice raises PluginConfigError.

        A plugin whose `mldeploy_options` raises is recorded in
        `load_failures`. Keys declared twice are found where the sections
        are merged into the configuration schema (`linter.config.config_schema`).
        """
        if self._sections is not None:
            return self._sections
        found: list[tuple[str, OptionSection]] = []
        flag_owners: dict[str, str] = {}
        for outcome in self._answers("mldeploy_options"):
            for section in outcome.result:
                if not SECTION_NAME.match(section.name):
                    raise PluginConfigError(
                        f"plugin {outcome.plugin!r} declares a configuration section named {section.name!r}: "
                        "use lower-case words joined by hyphens"
                    )
                for option in section.options:
                    if not FLAG_NAME.match(option.flag):
                        raise PluginConfigError(
                            f"plugin {outcome.plugin!r} declares a flag {option.flag!r}: use a long option, "
                            "lower-case words joined by hyphens after '--'"
                        )
                    _own(flag_owners, option.flag, outcome.plugin, f"flag {option.flag}", "declared")
                found.append((outcome.plugin, section))
        self._sections = tuple(found)
        return self._sections

    def file_patterns(self) -> list[str]:
        """Extra discovery patterns; a plugin that raises is recorded in `load_failures`."""
        patterns: list[str] = []
        for outcome in self._answers("mldeploy_file_patterns"):
            patterns.extend(outcome.result)
        return patterns

    def non_stage_names(self) -> tuple[str, ...]:
        """Names the plugins say are no stage (`mldeploy_non_stage_names`); a plugin that raises is recorded in `load_failures`."""
        if self._non_stage_names is None:
            names: list[str] = []
            for outcome in self._answers("mldeploy_non_stage_names"):
                names.extend(outcome.result)
            self._non_stage_names = tuple(names)
        return self._non_stage_names

    def node_codecs(self) -> "tuple[NodeCodec, ...]":
        """The codecs of the plugins' own node types (`mldeploy_node_codecs`); two of one name raise PluginConfigError.

        A plugin whose hook raises is recorded in `load_failures` (its node
        types are then parsed again on every run).
        """
        if self._node_codecs is None:
            found: dict[str, NodeCodec] = {}
            owners: dict[str, str] = {}
            for outcome in self._answers("mldeploy_node_codecs"):
                for codec in outcome.result:
                    problem = _codec_problem(codec)
                    if problem:
                        self.load_failures.append(PluginFailure(outcome.plugin, f"mldeploy_node_codecs gave a codec {problem}"))
                        continue
                    _own(owners, codec.name, outcome.plugin, f"node codec {codec.name!r}")
                    found[codec.name] = codec
            self._node_codecs = tuple(found.values())
        return self._node_codecs


def _own(owners: dict[str, str], key: str, plugin: str, what: str, verb: str = "provided") -> None:
    """Record that `plugin` gives `key` (`what` in a message); PluginConfigError when another plugin gave it already."""
    if key in owners:
        raise PluginConfigError(f"{what} is {verb} twice: by plugin {owners[key]!r} and by plugin {plugin!r}")
    owners[key] = plugin


def _codec_problem(codec: NodeCodec) -> str:
    """What is wrong with a plugin's `NodeCodec` (empty when nothing is)."""
    if not isinstance(codec.name, str) or not codec.name:
        return f"named {codec.name!r}, not a non-empty text"
    if not isinstance(codec.node_type, str) or "." not in codec.node_type:
        return f"{codec.name!r} whose node_type {codec.node_type!r} is not a qualified name (module.QualName)"
    if not callable(codec.encode) or not callable(codec.decode):
        return f"{codec.name!r} whose encode or decode cannot be called"
    if not isinstance(codec.depends_on, tuple) or not all(isinstance(name, str) for name in codec.depends_on):
        return f"{codec.name!r} whose depends_on is not a tuple of module names"
    return ""


def _unchecked(hook_name: str, result: Any) -> Any:
    return result


def _sequence(item_type: type | None = None) -> Callable[[str, Any], tuple]:
    """A check that a hook's result is a sequence (of `item_type`), read into a tuple.

    Reading a generator here runs it inside the isolation of `call_each`.
    """

    def check(hook_name: str, result: Any) -> tuple:
        if isinstance(result, (str, bytes)) or not isinstance(result, Iterable):
            raise HookResultError(f"{hook_name} returned {type(result).__name__}, not a sequence")
        items = tuple(result)
        for item in items:
            if item_type is not None and not isinstance(item, item_type):
                raise HookResultError(
                    f"{hook_name} returned a {type(item).__name__}, not a {item_type.__name__}"
                )
        return items

    return check


def _source_file(hook_name: str, result: Any) -> Any:
    from linter.source import SourceFile

    if not isinstance(result, SourceFile):
        raise HookResultError(f"{hook_name} returned {type(result).__name__}, not a SourceFile")
    return result


def _unrendered_template(hook_name: str, result: Any) -> Any:
    from linter.source import UnrenderedTemplate

    if not isinstance(result, UnrenderedTemplate):
        raise HookResultError(f"{hook_name} returned {type(result).__name__}, not an UnrenderedTemplate")
    return result


# mldeploy_rules items are checked one by one in `rules()`, which names each wrong one.
_RESULT_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "mldeploy_rules": _sequence(),
    "mldeploy_file_patterns": _sequence(str),
    "mldeploy_non_stage_names": _sequence(str),
    "mldeploy_load": _source_file,
    "mldeploy_unrendered_template": _unrendered_template,
    "mldeploy_document_origins": _sequence(str),
    "mldeploy_embedded_documents": _sequence(Node),
    "mldeploy_extract": _sequence(),
    "mldeploy_context_links": _sequence(),
    "mldeploy_link": _sequence(ScalingTarget),
    "mldeploy_reporters": _sequence(Reporter),
    "mldeploy_commands": _sequence(Command),
    "mldeploy_options": _sequence(OptionSection),
    "mldeploy_node_codecs": _sequence(NodeCodec),
}


def _guarded_reporter(reporter: Reporter, plugin: str) -> Reporter:
    """The reporter with its failures (SystemExit too, or a result that is not text) raised as PluginRenderError.

    Its `stream`, when it has one, is guarded the same way, piece by piece.
    """
    from dataclasses import replace

    render, stream = reporter.render, reporter.stream

    def failed(error: BaseException) -> PluginRenderError:
        described = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return PluginRenderError(f"plugin {plugin!r} raised {described} while rendering the {reporter.name!r} report")

    def guarded(report):
        try:
            text = render(report)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            raise failed(error) from None
        if not isinstance(text, str):
            raise PluginRenderError(
                f"plugin {plugin!r} returned {type(text).__name__}, not the report text, "
                f"while rendering the {reporter.name!r} report"
            )
        return text

    def guarded_stream(report):
        end = object()
        try:
            pieces = iter(stream(report))
            while (piece := next(pieces, end)) is not end:
                if not isinstance(piece, str):
                    raise PluginRenderError(
                        f"plugin {plugin!r} gave {type(piece).__name__}, not a piece of the report text, "
                        f"while rendering the {reporter.name!r} report"
                    )
                yield piece
        except (KeyboardInterrupt, GeneratorExit, PluginRenderError):
            raise
        except BaseException as error:
            raise failed(error) from None

    return replace(reporter, render=guarded, stream=None if stream is None else guarded_stream)


def _with_plugin(candidate: Rule, plugin: str) -> Rule:
    from dataclasses import replace

    return candidate if candidate.plugin == plugin else replace(candidate, plugin=plugin)


class _PluginManager(pluggy.PluginManager):
    """pluggy's manager, finding hook implementations in module plugins faster.

    pluggy looks each attribute of a plugin up statically
    (`inspect.getattr_static`); a module's attributes are mostly what it
    imported, and those lookups cost every run ~3 ms. A public, non-dunder
    name in a module's namespace that holds no function, or a function that
    carries no hookimpl marker, is no hook implementation whichever way it is
    looked up; everything else is pluggy's to judge
    (`PluginManager.parse_hookimpl_opts` is its documented override point).
    """

    def parse_hookimpl_opts(self, plugin: object, name: str) -> Any:
        if isinstance(plugin, ModuleType) and not name.startswith("__"):
            value = plugin.__dict__.get(name, _ABSENT)
            if value is not _ABSENT:
                if not isinstance(value, (FunctionType, MethodType, staticmethod, classmethod)):
                    return None
                if isinstance(value, FunctionType) and self.project_name + "_impl" not in value.__dict__:
                    return None
        return super().parse_hookimpl_opts(plugin, name)


_ABSENT = object()


def build_plugin_host(
    extra_modules: Sequence[str] = (), *, entry_points: bool = True, plugins: Iterable[tuple[str, object]] = ()
) -> PluginHost:
    """A fresh plugin host.

    Loads the entry-point group `mldeploy_lint` (unless `entry_points` is
    False), then each module in `extra_modules` (an import failure there is
    a PluginConfigError: the user asked for it by name), then the given
    (name, plugin object) pairs — the hook tests use.
    """
    manager = _PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    host = PluginHost(manager)
    from linter import core_rules

    manager.register(core_rules, name="core")
    if entry_points:
        _load_entry_points(host)
    for module_name in extra_modules:
        try:
            module = importlib.import_module(module_name)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # SystemExit at import too
            raise PluginConfigError(
                f"cannot import plugin module {module_name!r}: {type(error).__name__}: {error}"
            ) from error
        if manager.is_registered(module):
            continue
        _register(host, module_name, module)
    for name, plugin in plugins:
        _register(host, name, plugin)
    _check_hook_names(host)
    return host


def _check_hook_names(host: PluginHost) -> None:
    """Record implementations of hooks that do not exist (a misspelt name does nothing)."""
    known = {name for name in dir(hookspecs) if name.startswith("mldeploy_")}
    for name in dir(host.manager.hook):
        if not name.startswith("mldeploy_") or name in known:
            continue
        for impl in getattr(host.manager.hook, name).get_hookimpls():
            host.load_failures.append(
                PluginFailure(impl.plugin_name, f"implements {name}, which is not a hook (misspelt?); it is never called")
            )


def _load_entry_points(host: PluginHost) -> None:
    from linter import installed_plugins

    seen: set[str] = set()
    for entry_point in sorted(installed_plugins.entry_points(hookspecs.PROJECT), key=lambda item: item.name):
        if entry_point.name in seen:
            continue  # the same distribution seen twice on sys.path
        seen.add(entry_point.name)
        try:
            plugin = entry_point.load()
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # SystemExit at import too
            host.load_failures.append(
                PluginFailure(entry_point.name, f"failed to load ({entry_point.value}): {type(error).__name__}: {error}")
            )
            continue
        _register(host, entry_point.name, plugin)


def _register(host: PluginHost, name: str, plugin: object) -> None:
    if host.manager.is_registered(plugin) or host.manager.has_plugin(name):
        return
    try:
        host.manager.register(plugin, name=name)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # pluggy validates hook names and signatures
        host.load_failures.append(PluginFailure(name, f"failed to register: {type(error).__name__}: {error}"))
