"""Which context files a run parses: the plugins' prefilters, the words each file holds, then `mldeploy_context_wanted`.

A context file (read only for links across files, never reported on) is
parsed when a plugin wants it. A repository's context is thousands of
files, of which a run needs a few, so the choice is made in three steps,
each cheaper than the next:

1. a plugin's `mldeploy_context_prefilter` says, once per run, which words a
   file must hold (or which paths it may want whatever they hold) for the
   plugin to be asked about it at all (`ContextPrefilter`);
2. which of those words a file holds is remembered between runs by the
   file's status (`linter.word_index`, in the disk cache): a file that
   passes no plugin's path test and holds none of their words is not read;
3. the plugins the first two leave are asked, with the file's text
   (`mldeploy_context_wanted`); the file is parsed when one says True.

A plugin that answers `mldeploy_context_wanted` without a prefilter is asked
about every file, as before prefilters. Every context file is parsed when a
plugin that reads the run answers neither.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from linter.deadline import Overrun
from linter.word_index import EXACT, FOLDED, NAME, UNDECODABLE, Vocabulary, WholeNames, WordIndex

if TYPE_CHECKING:  # pragma: no cover
    from linter.engine import InputFile, LintOptions
    from linter.plugin_manager import PluginHost

__all__ = [
    "ContextPrefilter",
    "ContextRequest",
    "PerRun",
    "READS_THE_RUN",
    "WholeNames",
    "parses_every_context_file",
    "select_context",
]

# Hooks through which a plugin reads other documents of the run than the one it is given.
READS_THE_RUN = ("mldeploy_extract", "mldeploy_link", "mldeploy_embedded_documents")


class PerRun:
    """The run's settings and a memo of per-run values, for what plugins are handed (`options` and `_memo` given)."""

    options: "LintOptions"
    _memo: dict[Any, Any]

    def settings(self, section: str) -> Any:
        """The validated value of a configuration section (`linter.OptionSection`), None when unset.

        Command-line flags of the section (`linter.Option`) are set in it;
        the value is what the section's schema allows (usually a table).
        """
        return self.options.config.get(section)

    def memo(self, key: Any, factory: Callable[[], Any]) -> Any:
        """The value cached under `key` for this run, built by `factory` on first use."""
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]


@dataclass
class ContextRequest(PerRun):
    """What `mldeploy_context_wanted` may consult to decide whether a context file is worth parsing.

    `linted` maps the display path of each file being linted to its decoded
    text ("" for one that does not decode); `memo` caches per-run values a
    plugin computes once (what the linted files hold), as `RunContext.memo`.
    """

    linted: Mapping[str, str]
    options: "LintOptions"
    _memo: dict[Any, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ContextPrefilter:
    """Which context files a plugin's `mldeploy_context_wanted` is asked about in a run (`mldeploy_context_prefilter`).

    The plugin is asked about a file when any of these holds:

    - its text holds one of `words` as written, or its lower-cased text one
      of `folded_words` (give these in lower case);
    - it holds one of `naming_words` and one of `names` as a whole name (not
      part of a longer run of letters, digits, `_`, `.` and `-`): an
      autoscaler that may name a linted object;
    - its lower-cased path ends with one of `suffixes` (give these in lower
      case: `.tf`);
    - `directory_wanted` says True for its directory (`os.path.dirname` of
      its display path; asked once per directory and run).

    It must be a superset: a file left out is one the plugin would not
    have wanted. Looking for words costs each file a test per word: past
    `MAX_NAMES` names, the naming words count alone, and past `MAX_WORDS`
    words, the plugin is asked about every file. `ContextPrefilter()` asks about no file. Words are what
    keeps a repository's run fast: which words each file holds is
    remembered between runs, and a file that no plugin's prefilter leaves
    is not even read. A word or name not looked for before costs a read of
    the files where it may decide (a name only in the files holding one of
    its `naming_words`): keep `words` to what stays the same from run to run
    (the kinds of object that link), and put the linted objects' names in
    `names`.
    """

    words: tuple[str, ...] = ()
    folded_words: tuple[str, ...] = ()
    naming_words: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    directory_wanted: Callable[[str], bool] | None = None


def prefilter_problem(prefilter: Any) -> str:
    """What is wrong with a plugin's prefilter (empty when nothing is)."""
    if not isinstance(prefilter, ContextPrefilter):
        return f"returned {type(prefilter).__name__}, not a ContextPrefilter or None"
    for name in ("words", "folded_words", "naming_words", "names", "suffixes"):
        words = getattr(prefilter, name)
        if not isinstance(words, tuple) or not all(type(word) is str and word for word in words):
            return f"returned a ContextPrefilter whose {name} is not a tuple of non-empty strings"
        if name in ("folded_words", "suffixes") and any(word != word.lower() for word in words):
            return f"returned a ContextPrefilter whose {name} are not all in lower case"
    if prefilter.directory_wanted is not None and not callable(prefilter.directory_wanted):
        return "returned a ContextPrefilter whose directory_wanted cannot be called"
    return ""


# Reports a plugin's failure: (plugin, what it was doing, the error or None for a wrong result).
Report = Callable[[str, str, "BaseException | None"], None]


@dataclass
class _Asker:
    """One implementation of `mldeploy_context_wanted`, and what its plugin's prefilter leaves it."""

    impl: Any
    prefilter: ContextPrefilter | None  # None: asked about every file
    bit: int = 0  # this asker's bit in the masks of askers
    words: int = 0  # its words and folded words, as bits of the run's vocabulary
    naming_words: int = 0
    names: int = 0

    def by_words(self, known: int, held: int) -> bool | None:
        """Whether the file's words leave it to this plugin: True, False, or None when a word not looked for decides."""
        if held & self.words or (held & self.naming_words and held & self.names):
            return True
        if self.words & ~known:
            return None
        naming = held & self.naming_words or self.naming_words & ~known
        return None if naming and (held & self.names or self.names & ~known) else False


@dataclass
class _PathTests:
    """The askers each path leaves, by suffix and directory (each directory asked once)."""

    askers: list[_Asker]
    failed: set[str]
    report: Report
    _directories: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._suffixes = [(asker.bit, asker.prefilter.suffixes) for asker in self.askers if asker.prefilter and asker.prefilter.suffixes]
        self._tests = [(asker, asker.prefilter.directory_wanted) for asker in self.askers if asker.prefilter and asker.prefilter.directory_wanted]

    def askers_of(self, path: str) -> int:
        """The bits of the askers that `path` alone leaves the file to."""
        wanted = 0
        if self._tests:
            # os.path.dirname, for a normal path that is not at the root: this is asked for every file
            directory = path.rpartition(os.sep)[0]
            if not directory or (os.altsep and os.altsep in path):
                directory = os.path.dirname(path)
            wanted = self._directories.get(directory, -1)
            if wanted < 0:
                wanted = self._directories[directory] = self._by_directory(directory)
        if self._suffixes:
            lowered = path.lower()
            for bit, suffixes in self._suffixes:
                if lowered.endswith(suffixes):
                    wanted |= bit
        return wanted

    def _by_directory(self, directory: str) -> int:
        wanted = 0
        for asker, test in self._tests:
            try:
                if test(directory):
                    wanted |= asker.bit
            except (KeyboardInterrupt, Overrun):
                raise
            except BaseException as error:  # isolation, as in call_each: the plugin is asked
                wanted |= asker.bit
                _report_once(self.failed, self.report, asker.impl.plugin_name, "while choosing context files (its prefilter's directory test)", error)
        return wanted


def select_context(inputs: Sequence["InputFile"], host: "PluginHost", options: "LintOptions", report: Report) -> list["InputFile"]:
    """`inputs`, every one read, without the context files no plugin wants parsed; never raises for a plugin.

    A context file that cannot be read or decoded is left out too: it would
    load to no document. A plugin that raises, or returns a wrong
    prefilter, is reported through `report` (once per plugin and run) and
    asked about every file.
    """
    max_bytes = options.limits.max_bytes
    if not any(item.context_only for item in inputs) or parses_every_context_file(host):
        return _read_all(inputs, max_bytes)
    hook = host.manager.hook.mldeploy_context_wanted
    request = ContextRequest({item.path: item.decoded(options.limits)[0] or "" for item in inputs if not item.context_only}, options)
    failed: set[str] = set()
    prefilters = _prefilters(host, request, failed, report)
    askers = [_Asker(impl, prefilters.get(impl.plugin_name), 1 << number) for number, impl in enumerate(reversed(hook.get_hookimpls()))]
    words = [word for asker in askers if asker.prefilter is not None for word in _words(asker.prefilter)]
    index = None
    earlier = _kept_vocabulary(inputs)  # inputs passed again: what was found in them is kept on them
    unread = [item.location for item in inputs if item.location is not None] if earlier is None else []
    if options.disk_cache is not None and unread and words and all(asker.prefilter is not None for asker in askers):
        index = WordIndex.open(options.disk_cache, unread, words, max_bytes)
        vocabulary = index.vocabulary
    else:
        vocabulary = (earlier or Vocabulary(())).grown(words)
    selection = _Selection(request, askers, vocabulary, index, failed, report)
    kept = []
    for item in inputs:
        if not item.context_only:
            read = item.read(max_bytes)
            if read is not None:
                kept.append(read)
        else:
            wanted = selection.wanted(item)
            if wanted is not None:
                kept.append(wanted)
    if index is not None:
        index.save()
    return kept


def _kept_vocabulary(inputs: Sequence["InputFile"]) -> Vocabulary | None:
    """The largest vocabulary whose words an earlier run kept on one of the context `inputs`; None when none has them."""
    found = None
    for item in inputs:
        if item.context_only:
            kept = item.__dict__.get("_held")
            if kept is not None and (found is None or len(kept[0].words) > len(found.words)):
                found = kept[0]
    return found


def parses_every_context_file(host: "PluginHost") -> bool:
    """True when a plugin reads the run without answering `mldeploy_context_wanted`: every context file is then parsed."""
    hook = host.manager.hook
    answering = {impl.plugin_name for impl in hook.mldeploy_context_wanted.get_hookimpls()}
    return any(impl.plugin_name not in answering for name in READS_THE_RUN for impl in getattr(hook, name).get_hookimpls())


def _words(prefilter: ContextPrefilter) -> list[tuple[str, str]]:
    """The vocabulary words a prefilter looks for, with their kinds."""
    groups = ((prefilter.words, EXACT), (prefilter.folded_words, FOLDED), (prefilter.naming_words, EXACT), (prefilter.names, NAME))
    return [(word, kind) for group, kind in groups for word in group]


class _Selection:
    """Decides, file by file, which context files are parsed: from what is remembered of them, else read."""

    def __init__(
        self, request: ContextRequest, askers: list[_Asker], vocabulary: Vocabulary, index: WordIndex | None, failed: set[str], report: Report
    ) -> None:
        self.request, self.askers, self.vocabulary, self.index = request, askers, vocabulary, index
        self.failed, self.report = failed, report
        for asker in askers:
            found = asker.prefilter
            if found is not None:
                asker.words = vocabulary.mask(found.words, EXACT) | vocabulary.mask(found.folded_words, FOLDED)
                asker.naming_words, asker.names = vocabulary.mask(found.naming_words, EXACT), vocabulary.mask(found.names, NAME)
        self.by_words = [asker for asker in askers if asker.words or asker.naming_words]
        self.every = sum(asker.bit for asker in askers if asker.prefilter is None)  # asked about every file
        self.paths = _PathTests(askers, failed, report)

    def wanted(self, item: "InputFile") -> "InputFile | None":
        """The context file read and to be parsed, or None when no plugin wants it (read only when one may)."""
        limits = self.request.options.limits
        wanted = self.every | self.paths.askers_of(item.path)
        remembered = self._remembered(item)
        if remembered is not None:
            known, held = remembered
            if held == UNDECODABLE:
                return None
            unsure = 0
            if held or known != self.vocabulary.full:
                for asker in self.by_words:
                    verdict = asker.by_words(known, held)
                    if verdict:
                        wanted |= asker.bit
                    elif verdict is None:
                        unsure |= asker.bit
            if not wanted and not unsure:
                return None  # never read
        elif not self.by_words and not wanted:
            return None  # no word to look for, and no plugin to ask
        read = item.read(limits.max_bytes)
        if read is None:
            return None
        decoded = read.decoded(limits, keep=False)
        text = decoded[0]
        if remembered is None or remembered[0] != self.vocabulary.full:
            held = self.vocabulary.bits(text) if text is not None else UNDECODABLE
            if item.location is not None and self.index is not None:
                self.index.learn(item.location, held)
            self._keep(item, self.vocabulary.full, held)
            for asker in self.by_words:
                if asker.by_words(self.vocabulary.full, held):
                    wanted |= asker.bit
        if text is None:
            return None
        asked = [asker for asker in self.askers if asker.bit & wanted]
        if not asked or not _is_wanted(read.path, text, self.request, asked, self.failed, self.report):
            return None
        object.__setattr__(read, "_decoded", (limits.max_bytes, decoded))  # kept: to be loaded
        return read

    def _remembered(self, item: "InputFile") -> tuple[int, int] | None:
        """(the words looked for, the words held) of a file, when known without reading it.

        What a run finds is kept on the input: a long-lived caller (the
        language server) passes the same input again while its file is
        unchanged, and then no index is opened (`_kept_vocabulary`). Else
        from the word index, for a file to read.
        """
        kept = item.__dict__.get("_held")
        if kept is not None and self.vocabulary.extends(kept[0]):
            if kept[0] is not self.vocabulary:
                self._keep(item, kept[1], kept[2])
            return kept[1], kept[2]
        if item.location is not None and self.index is not None:
            found = self.index.known(item.location)
            if found is not None:
                self._keep(item, *found)
            return found
        return None

    def _keep(self, item: "InputFile", known: int, held: int) -> None:
        object.__setattr__(item, "_held", (self.vocabulary, known, held))  # not a field: equality is the bytes'


def _read_all(inputs: Sequence["InputFile"], max_bytes: int) -> list["InputFile"]:
    """Every input read; those whose file can no longer be read left out."""
    read = [item if item.location is None else item.read(max_bytes) for item in inputs]
    return [item for item in read if item is not None]


def _prefilters(host: "PluginHost", request: ContextRequest, failed: set[str], report: Report) -> dict[str, ContextPrefilter | None]:
    """Each answering plugin's prefilter for the run; a plugin without one, or failing to give one, is absent."""
    found: dict[str, ContextPrefilter | None] = {}
    for outcome in host.call_each("mldeploy_context_prefilter", request=request):
        if outcome.error is not None:  # the plugin is asked about every file
            _report_once(failed, report, outcome.plugin, "while choosing context files (its prefilter)", outcome.error)
            continue
        problem = prefilter_problem(outcome.result)
        if problem:
            _report_once(failed, report, outcome.plugin, f"{problem} while choosing context files", None)
            continue
        found[outcome.plugin] = _bounded(outcome.result)
    return found


def _report_once(failed: set[str], report: Report, plugin: str, doing: str, error: "BaseException | None") -> None:
    """Report a plugin's failure in choosing context files, unless it failed before in this run."""
    if plugin not in failed:
        failed.add(plugin)
        report(plugin, doing, error)


# A file's words are looked for one by one: a prefilter of more names than this (the objects of a large linted
# stream) pairs its naming words with no name (a superset), and one of more words than this asks about every file.
MAX_NAMES = 64
MAX_WORDS = 64


def _bounded(prefilter: ContextPrefilter | None) -> ContextPrefilter | None:
    if prefilter is None:
        return None
    if len(prefilter.names) > MAX_NAMES:
        prefilter = replace(prefilter, words=prefilter.words + prefilter.naming_words, naming_words=(), names=())
    if len(prefilter.words) + len(prefilter.folded_words) + len(prefilter.naming_words) > MAX_WORDS:
        return None
    return prefilter


def _is_wanted(path: str, text: str, request: ContextRequest, asked: list[_Asker], failed: set[str], report: Report) -> bool:
    """True when one of the `asked` plugins wants the context file parsed (or fails to say: reported once per plugin).

    Called for many files of a repository: the implementations are called
    directly, as `PluginHost.call_each` would, without its per-call set-up.
    """
    arguments = {"path": path, "text": text, "request": request}
    for asker in asked:
        impl = asker.impl
        try:
            answer = impl.function(*[arguments[name] for name in impl.argnames])
        except (KeyboardInterrupt, Overrun):
            raise
        except BaseException as error:  # isolation, as in call_each: the file is kept
            _report_once(failed, report, impl.plugin_name, "while choosing context files", error)
            return True
        if answer:
            return True
    return False
