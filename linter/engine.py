"""The run: load -> extract -> check -> select -> sort, with plugin isolation.

One direction only: sources are loaded into documents, adapters extract
deployments, rules check them, findings are filtered by selection and
sorted. Any exception from a plugin becomes an `MD002 plugin-error` finding
naming the plugin; the run goes on.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import heapq
import os
import traceback
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from linter.model import Deployment, DocumentFormat, Environment, Ignore, InputProblem, Provenance, ScalingTarget, Sourced
from linter.config import Config
from linter.context_selection import ContextRequest, PerRun, select_context
from linter.deadline import Overrun, armed, time_limit
from linter.discovery import is_repository_root, read_regular_file, up_to_repository_root
from linter.nodes import Span
from linter.profile import environment_from_path
from linter.plugin_manager import PluginHost
from linter.reporting import FileSummary
from linter.rules import Finding, NotJudged, Rule, RuleSelector, Scope, Severity, Violation, applicability_key
from linter.source import Document, LoadLimits, LoadProblem, SourceFile, UnrenderedTemplate, decode_bytes, load_text

if TYPE_CHECKING:  # pragma: no cover
    from linter.baseline import Baseline
    from linter.disk_cache import DiskCache
    from linter.plugin_manager import HookResult
    from linter.source_cache import SourceCache

__all__ = ["DEFAULT_FILE_TIMEOUT", "ContextRequest", "InputFile", "LintOptions", "LintResult", "RunContext", "run_lint"]

# Far above what a real file needs (a 20 MB template loads in a few seconds)
# and far below a CI job's patience.
DEFAULT_FILE_TIMEOUT = 20.0
# The most variant labels (stage files' names) the rules over the whole run see a world of. Each world holds
# every deployment of no variant: a repository of a thousand templates with stage files of a thousand names
# beside a long stream took 75 s and 2.7 GB. A project has a few stages.
MAX_VARIANT_WORLDS = 64

@dataclass(frozen=True)
class InputFile:
    """A file to lint: its display path and raw bytes.

    `context_only` files are loaded for cross-file links but not reported on.
    `truncated` says `data` is only the start of a longer input, read up to
    the size limit and one byte more: the loader reports it as too large.
    A context file may come unread, its `location` the file to read it from
    (`data` is then empty): the run reads it (`read`) only when a plugin may
    want it (`linter.context_selection`).
    """

    path: str
    data: bytes
    context_only: bool = False
    truncated: bool = False
    location: str | None = None

    def read(self, max_bytes: int) -> "InputFile | None":
        """This input with its bytes (itself when they are read), or None when its file can no longer be read."""
        if self.location is None:
            return self
        try:
            data, truncated = read_regular_file(self.location, max_bytes)
        except OSError:  # gone since it was listed, unreadable, or a pipe now
            return None
        return InputFile(self.path, data, self.context_only, truncated)

    def decoded(self, limits: LoadLimits, keep: bool = True) -> tuple[str | None, LoadProblem | None]:
        """`decode_bytes` of this file under `limits`: decoded once per run however often asked.

        The first answer is kept on the input (unless `keep` is False: a
        context file that may be dropped need not hold its text meanwhile).
        """
        kept = self.__dict__.get("_decoded")
        if kept is not None and kept[0] == limits.max_bytes:
            return kept[1]
        answer = decode_bytes(self.path, self.data, limits, self.truncated)
        if keep:
            object.__setattr__(self, "_decoded", (limits.max_bytes, answer))  # not a field: equality is the bytes'
        return answer


@dataclass(frozen=True)
class LintOptions:
    """What the user chose for this run.

    `config` is the configuration file's settings, validated with the
    plugins' sections and with their flags' values set in it; plugins read
    their own sections through the run (`RunContext.settings`).
    """

    selector: RuleSelector = field(default_factory=RuleSelector)
    environment: Environment | None = None
    limits: LoadLimits = field(default_factory=LoadLimits)
    config: Config = field(default_factory=Config)
    # Wall-clock seconds each stage of work on one file (loading it, reading
    # its deployments, checking one deployment) may take; None: no limit.
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT
    # Findings it records are reported as suppressed (see linter.baseline).
    baseline: "Baseline | None" = None
    # Parsed files kept from earlier runs (a long-lived process); None: parse every file.
    source_cache: "SourceCache | None" = field(default=None, compare=False)
    # Parsed files kept on disk between runs (linter.disk_cache); None: no disk cache.
    disk_cache: "DiskCache | None" = field(default=None, compare=False)
    # Processes that load files (linter.parallel): a number, or None to choose by the size of the run.
    jobs: int | None = 1


@dataclass
class RunContext(PerRun):
    """Read access to the whole run for adapters and rules.

    `documents` holds every document loaded in this run: those of the files
    being linted, and those of the context files some plugin wanted parsed
    (`mldeploy_context_wanted`; all of them when a plugin that reads the run
    does not answer that hook), then the documents plugins read out of them
    (`mldeploy_embedded_documents`, each with `embedded_in` set); `memo`
    caches per-run indexes an adapter builds once.
    `rules` are the rules enabled for the run (for a plugin that defers
    to a built-in rule by ID). `recognised_by` and `formats_of` say which adapters recognised a
    document of the files being linted, and as what (complete once every
    document is extracted: for rules and `mldeploy_link`). `settings(name)`
    is the run's value of a plugin's configuration section.
    `non_stage_names` are the names the plugins say contain a stage word
    but name no stage (`mldeploy_non_stage_names`), for
    `linter.environment_from_path`. `context_scaling_targets` are the
    scaling targets the context files hold (`mldeploy_context_links`),
    linked but never judged: what may scale a deployment out of sight.
    """

    documents: tuple[Document, ...]
    options: LintOptions
    deployments: tuple[Deployment, ...] = ()
    scaling_targets: tuple[ScalingTarget, ...] = ()
    context_scaling_targets: tuple[ScalingTarget, ...] = ()
    reported_paths: frozenset[str] = frozenset()
    rules: tuple[Rule, ...] = ()
    non_stage_names: tuple[str, ...] = ()
    _memo: dict[Any, Any] = field(default_factory=dict)
    # Per document (by id): who recognised it, as what. A tuple of pairs, each pair made once per run:
    # a stream's 20,000 documents would otherwise keep a list and a pair each.
    _recognitions: dict[int, tuple[tuple[str, str | None], ...]] = field(default_factory=dict)
    _recognition_pairs: dict[tuple[str, str | None], tuple[tuple[str, str | None], ...]] = field(default_factory=dict)

    def recognised_by(self, document: Document) -> frozenset[str]:
        """The names of the plugins whose `mldeploy_extract` recognised `document` (returned non-None)."""
        return frozenset(plugin for plugin, _ in self._recognitions.get(id(document), ()))

    def formats_of(self, document: Document) -> frozenset[str]:
        """The `linter.DocumentFormat` names the adapters that recognised `document` gave it."""
        return frozenset(name for _, name in self._recognitions.get(id(document), ()) if name is not None)

    def note_recognised(self, document: Document, plugin: str, format_name: str | None = None) -> None:
        """Record that `plugin` recognised `document` (as `format_name`); the engine's to call."""
        pair = (plugin, format_name)
        alone = self._recognition_pairs.get(pair)
        if alone is None:
            alone = self._recognition_pairs[pair] = (pair,)
        key = id(document)
        earlier = self._recognitions.get(key)
        self._recognitions[key] = alone if earlier is None else earlier + alone

    def is_reported(self, document: Document) -> bool:
        """True for documents of the files being linted, False for context files."""
        return document.path in self.reported_paths


@dataclass(frozen=True)
class LintResult:
    """The outcome of a run: sorted findings, per-file summaries, enabled rules.

    `texts` maps each linted file's path (and each context file's that
    holds findings) to its decoded text, for reporters that show source lines.
    `not_judged` is aligned with `deployments`: for each, what the rules
    that ran could not judge there for want of a fact (`NotJudged`, their
    `rule_id` set), in the order the rules said it. Not findings: for
    `explain --deployments` and the editor's hover.
    """

    findings: tuple[Finding, ...]
    files: tuple[FileSummary, ...]
    rules: tuple[Rule, ...]
    deployments: tuple[Deployment, ...] = ()
    scaling_targets: tuple[ScalingTarget, ...] = ()
    texts: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    baseline_stale: int = 0  # baseline entries that matched no finding of this run
    not_judged: tuple[tuple[NotJudged, ...], ...] = field(default=(), compare=False, repr=False)

    def not_judged_of(self, deployment: Deployment) -> tuple[NotJudged, ...]:
        """What the rules could not judge for this deployment of the result (the same object); () when nothing."""
        for index, candidate in enumerate(self.deployments):
            if candidate is deployment:
                return self.not_judged[index] if index < len(self.not_judged) else ()
        return ()

    def worst(self) -> Severity | None:
        """The highest severity among the findings that are not suppressed, or None when clean."""
        return max(
            (finding.severity for finding in self.findings if finding.suppression is None),
            key=lambda item: item.rank,
            default=None,
        )


def run_lint(inputs: Sequence[InputFile], host: PluginHost, options: LintOptions) -> LintResult:
    """Lint `inputs` with the plugins of `host`; never raises for bad input or plugins."""
    with _frozen_as_loaded() as kept, armed() if options.file_timeout else contextlib.nullcontext():
        return _run(inputs, host, options, kept)


@dataclass(frozen=True)
class _Kept:
    """What the run keeps until it ends, out of the garbage collector's view (see `_frozen_as_loaded`).

    `active` is False when the collector is left alone: then its methods leave the collector as it is.
    """

    active: bool = False

    def freeze(self) -> None:
        """Move what exists so far out of the collector's view (`gc.freeze`)."""
        if self.active:
            gc.freeze()

    def loading(self, items: Iterator[Any]) -> Iterator[Any]:
        """`items`, each made with the collector paused until the caller's `freeze()` has put it out of view.

        Once the loader resumes the collector, its first pass would walk every
        node of the file just loaded, which `freeze()` is about to put out of
        its view anyway. Cyclic garbage made while loading is frozen with the
        file and freed when the run ends.
        """
        if not self.active or not gc.isenabled():
            yield from items
            return
        while True:
            gc.disable()
            try:
                try:
                    item = next(items)
                except StopIteration:
                    return
                yield item  # the loop body calls `freeze()` before asking for the next one
            finally:
                gc.enable()

    @contextlib.contextmanager
    def building(self) -> Iterator[None]:
        """Pause the collector while what the block builds is kept (a document's deployments, the adapters'
        run indexes), then freeze it: its passes would only walk objects that live until the run ends."""
        if not self.active:
            yield
            return
        gc.disable()
        try:
            yield
        finally:
            gc.freeze()
            gc.enable()


@contextlib.contextmanager
def _frozen_as_loaded() -> Iterator[_Kept]:
    """Keep the garbage collector from walking what the run has loaded and extracted, again and again.

    Loaded documents live until the run ends, and every full collection
    would scan all of them: over a few thousand files a third of the run's
    time (bench/bench.py, "Garbage collection"); so do the deployments read
    from them, and for a file of thousands of documents the collections
    while reading them cost a tenth of the run. The yielded `_Kept` moves
    what exists out of the collector's view (`gc.freeze`) after each file
    is loaded and each document is read; the run's end puts it back
    (`gc.unfreeze`), to be freed as usual. Left alone when the collector
    is off, or when the calling program has frozen objects of its own
    (unfreezing would release them too).
    """
    if not gc.isenabled() or gc.get_freeze_count():
        yield _Kept(active=False)
        return
    try:
        yield _Kept(active=True)
    finally:
        gc.unfreeze()


def _run(
    inputs: Sequence[InputFile], host: PluginHost, options: LintOptions, kept: _Kept = _Kept()
) -> LintResult:
    rules_by_id = {candidate.id: candidate for candidate in host.rules()}
    enabled = tuple(candidate for candidate in rules_by_id.values() if options.selector.enabled(candidate))
    non_stage_names = host.non_stage_names()
    findings: list[Finding] = []
    emit = _Emitter(rules_by_id, findings)

    host.node_codecs()  # asked now, so that a plugin failing there is reported with the others
    for failure in host.load_failures:
        emit.plugin_error(failure.plugin, f"plugin {failure.plugin!r} {failure.message}", Span.point(f"<plugin:{failure.plugin}>", 1))

    sources: list[tuple[InputFile, SourceFile]] = []
    unrendered = _Unrendered()
    inputs = select_context(inputs, host, options, emit.plugin_failure)
    for item, source in kept.loading(_loaded(inputs, host, options, emit)):
        if isinstance(source, UnrenderedTemplate):  # never parsed; noted once per group, or skipped without a word
            if source.note and not item.context_only:
                unrendered.add(item.path, source)
            continue
        sources.append((item, source))
        kept.freeze()
        if not item.context_only:
            for problem in source.problems:
                emit.core("MD001", problem.message, problem.span, problem.severity)
    for message, span in unrendered.notes():
        emit.core("MD005", message, span)

    all_documents = tuple(document for _, source in sources for document in source.documents)
    reported = frozenset(item.path for item in inputs if not item.context_only)
    run = RunContext(all_documents, options, reported_paths=reported, rules=enabled, non_stage_names=non_stage_names)
    embedded = _embedded(host, run, emit)
    if embedded:
        run.documents = all_documents + tuple(document for documents in embedded.values() for document in documents)

    summaries: list[FileSummary] = []
    deployments: list[Deployment] = []
    scaling_targets: list[ScalingTarget] = []
    ignores: list[Ignore] = []
    for item, source in sources:
        if item.context_only:
            continue
        extraction = _Extraction(run, options, emit, deployments, scaling_targets, ignores, embedded=embedded, kept=kept)
        try:
            with time_limit(options.file_timeout):
                extraction.read(host, source)
        except Overrun:
            emit.core(
                "MD001",
                f"reading deployments from this document took longer than {options.file_timeout:g} s (the per-file "
                f"time limit) in plugin {host.running!r}; the rest of the file is not linted",
                _document_anchor(extraction.document) if extraction.document else Span.point(item.path, 1),
            )
        kept.freeze()
        recognised, file_deployments = extraction.recognised, extraction.deployments_read
        summaries.append(FileSummary(item.path, recognised or bool(source.problems), file_deployments))
    if unrendered.groups:  # templates are files of the run too, in the order they were given
        unlinted = set(unrendered.paths())
        by_path = {summary.path: summary for summary in summaries}
        summaries = [
            by_path.get(item.path) or FileSummary(item.path, False, 0)
            for item in inputs
            if item.path in by_path or item.path in unlinted
        ]
    # Linked with what the context files offer (`mldeploy_context_links`); judged without it.
    offered_deployments, offered_targets = _context_links(host, run, sources)
    run.deployments = tuple(deployments) + offered_deployments
    run.scaling_targets = tuple(scaling_targets) + offered_targets
    _link(host, run, emit)
    linted_targets = len(scaling_targets)
    run.context_scaling_targets = run.scaling_targets[linted_targets:]
    run.scaling_targets = run.scaling_targets[:linted_targets]
    run.deployments = tuple(deployments)

    _check(enabled, run, all_documents, options, emit)
    findings[:] = _merge_variants(findings)

    selected = [finding for finding in findings if _selected(finding, rules_by_id, options.selector)]
    selected = _with_severities(selected, options.config, rules_by_id)
    # A context file is reported on only where a linted file makes it judged (a template read with the
    # stage file a pre-commit hook passed): its text is there for suppression comments and --show-source.
    judged_paths = {finding.path for finding in findings}
    texts = {item.path: source.text for item, source in sources if not item.context_only or item.path in judged_paths}
    if _may_suppress(texts, ignores, options):
        from linter.suppressions import apply

        selected = apply(
            selected,
            texts,
            ignores,
            _single_deployment_lines(run.deployments, all_documents),
            list(rules_by_id.values()),
            enabled,
            options.config,
        )
        selected = [finding for finding in selected if _selected(finding, rules_by_id, options.selector)]
    selected = _with_origins(selected, all_documents)
    from linter.fingerprints import with_fingerprints

    selected = with_fingerprints(selected, all_documents)
    baseline_stale = 0
    if options.baseline is not None:
        selected, baseline_stale = options.baseline.apply(selected)
    ordered = tuple(sorted(set(selected), key=lambda finding: finding.sort_key))
    not_judged = tuple(tuple(dict.fromkeys(emit.not_judged.get(id(deployment), ()))) for deployment in run.deployments)
    return LintResult(
        ordered, tuple(summaries), enabled, run.deployments, run.scaling_targets, texts, baseline_stale, not_judged
    )


def _embedded(host: PluginHost, run: RunContext, emit: "_Emitter") -> dict[int, tuple[Document, ...]]:
    """The documents plugins read out of each document of the run (`mldeploy_embedded_documents`), by id of the document.

    Each call runs under the per-file time limit; a plugin that raises or
    overruns is reported (MD002, MD001) at the document when its file is
    linted (silently for a context file, as for its extraction), and the
    document then holds no embedded document of that plugin.
    """
    if not host.manager.hook.mldeploy_embedded_documents.get_hookimpls():
        return {}
    found: dict[int, tuple[Document, ...]] = {}
    for document in run.documents:
        roots: list = []
        try:
            with time_limit(run.options.file_timeout):
                for outcome in host.call_each("mldeploy_embedded_documents", document=document, run=run):
                    if outcome.error is not None:
                        if not run.is_reported(document):
                            continue
                        emit.plugin_error(
                            outcome.plugin,
                            f"plugin {outcome.plugin!r} raised {_describe(outcome.error)} while reading embedded documents",
                            _document_anchor(document),
                            outcome.error,
                        )
                        continue
                    roots.extend(outcome.result)
        except Overrun:
            if not run.is_reported(document):
                continue
            emit.core(
                "MD001",
                f"reading embedded documents took longer than {run.options.file_timeout:g} s (the per-file time limit) "
                f"in plugin {host.running!r}; they are not linted",
                _document_anchor(document),
            )
            continue
        if roots:
            found[id(document)] = tuple(
                Document(document.path, document.index, root, document.source, document.origin, embedded_in=document) for root in roots
            )
    return found


def _context_links(
    host: PluginHost, run: RunContext, sources: Sequence[tuple[InputFile, SourceFile]]
) -> tuple[tuple[Deployment, ...], tuple[ScalingTarget, ...]]:
    """The deployments and scaling targets the context files offer the run's links (`mldeploy_context_links`).

    Each file under the per-file time limit; a plugin that raises, or a
    file that overruns, offers nothing more, without a report: context
    files are never reported on.
    """
    offered_deployments: list[Deployment] = []
    offered_targets: list[ScalingTarget] = []
    if not host.manager.hook.mldeploy_context_links.get_hookimpls():
        return (), ()
    for item, source in sources:
        if not item.context_only:
            continue
        try:
            with time_limit(run.options.file_timeout):
                for document in source.documents:
                    for outcome in host.call_each("mldeploy_context_links", document=document, run=run):
                        if outcome.error is not None:  # a plugin's failure on a file whose findings no one reads
                            continue
                        for offered in outcome.result:  # a tuple: read inside the hook's isolation
                            if isinstance(offered, Deployment):
                                offered_deployments.append(offered)
                            elif isinstance(offered, ScalingTarget):
                                offered_targets.append(offered)
        except Overrun:
            continue
    return tuple(offered_deployments), tuple(offered_targets)


def _link(host: PluginHost, run: RunContext, emit: "_Emitter") -> None:
    """Adapters' links across the run (`mldeploy_link`), one adapter after the other.

    Called in every run, with or without scaling targets: an adapter also
    learns there that every document is extracted (and may drop what it
    kept for extraction only).
    """
    for outcome in host.call_each("mldeploy_link", run=run):
        if outcome.error is None and len(outcome.result) != len(run.scaling_targets):
            outcome = replace(outcome, error=ValueError("mldeploy_link must return every scaling target of the run, in order"))
        if outcome.error is not None:
            emit.plugin_error(
                outcome.plugin,
                f"plugin {outcome.plugin!r} raised {_describe(outcome.error)} while linking the run",
                Span.point(f"<plugin:{outcome.plugin}>", 1),
                outcome.error,
            )
            continue
        run.scaling_targets = tuple(outcome.result)


@dataclass
class _Extraction:
    """Reads the deployments of one file's documents; remembers where it is, for an overrun report."""

    run: RunContext
    options: LintOptions
    emit: "_Emitter"
    deployments: list[Deployment]
    scaling_targets: list[ScalingTarget]
    ignores: list[Ignore] = field(default_factory=list)
    recognised: bool = False
    deployments_read: int = 0
    document: Document | None = None
    embedded: Mapping[int, tuple[Document, ...]] = field(default_factory=dict)
    kept: _Kept = _Kept()  # each document's extraction is built out of the collector's view
    path_environments: dict[str, Sourced | None] = field(default_factory=dict)  # see _apply_options

    def read(self, host: PluginHost, source: SourceFile) -> None:
        """Every document of the file, each followed by the documents embedded in it."""
        for document in (item for written in source.documents for item in (written, *self.embedded.get(id(written), ()))):
            self.document = document
            with self.kept.building():
                self._read_document(host, document)

    def _read_document(self, host: PluginHost, document: Document) -> None:
        emit = self.emit
        for outcome in host.call_each("mldeploy_extract", document=document, run=self.run):
            if outcome.error is not None:
                emit.plugin_error(
                    outcome.plugin,
                    f"plugin {outcome.plugin!r} raised {_describe(outcome.error)} while extracting deployments",
                    _document_anchor(document),
                    outcome.error,
                )
                continue
            self.recognised = True
            self.run.note_recognised(document, outcome.plugin)
            try:
                for extracted in outcome.result:
                    if isinstance(extracted, Deployment):
                        self.deployments.append(_apply_options(extracted, self.options, self.run.non_stage_names, self.path_environments))
                        self.deployments_read += 1
                    elif isinstance(extracted, InputProblem):
                        emit.core(extracted.rule_id, extracted.message, extracted.span)
                    elif isinstance(extracted, ScalingTarget):
                        self.scaling_targets.append(extracted)
                    elif isinstance(extracted, Ignore):
                        self.ignores.append(extracted)
                    elif isinstance(extracted, DocumentFormat):
                        self.run.note_recognised(document, outcome.plugin, extracted.name)
                    else:
                        raise TypeError(f"mldeploy_extract yielded {type(extracted).__name__}, not a Deployment")
            except (KeyboardInterrupt, Overrun):
                raise
            except BaseException as error:  # a plugin's SystemExit is its failure, not the run's end
                emit.plugin_error(
                    outcome.plugin,
                    f"plugin {outcome.plugin!r} raised {_describe(error)} while extracting deployments",
                    _document_anchor(document),
                    error,
                )


def _check(
    enabled: Sequence[Rule], run: RunContext, documents: Sequence[Document], options: LintOptions, emit: "_Emitter"
) -> None:
    """Run every enabled rule; each deployment's (and document's) rules together under the time limit.

    A deployment-scope rule runs only on the deployments it applies to (`Rule.applies_to`).
    """
    by_scope: dict[Scope, list[Rule]] = {}
    for candidate in enabled:
        by_scope.setdefault(candidate.scope, []).append(candidate)

    def guarded(anchor: Span | Document | None, candidates: Sequence[Rule], *args: Any) -> None:
        emit.running = ""
        try:
            with time_limit(options.file_timeout):
                emit.check_each(candidates, anchor, args)
        except Overrun:
            where = _anchor_span(anchor) or Span.point("<run>", 1)
            emit.core(
                "MD001",
                f"rule {emit.running} took longer than {options.file_timeout:g} s (the per-file time limit) here; "
                "the rules after it did not run",
                where,
            )

    deployment_rules = by_scope.get(Scope.DEPLOYMENT, [])
    # A plain Rule's verdict follows from the deployment's `applicability_key`: the rules that apply to
    # one kind, environment and ML evidence are found once per run, not asked again for each deployment.
    # A Rule subclass may judge applicability its own way: with one enabled, every deployment is asked.
    by_key: dict[tuple, tuple[Rule, ...]] | None = (
        {} if all(type(candidate) is Rule for candidate in deployment_rules) else None
    )
    for deployment in run.deployments:
        if by_key is None:
            applicable = _applicable(deployment_rules, deployment)
        else:
            key = applicability_key(deployment)
            try:
                applicable = by_key[key]
            except KeyError:
                applicable = by_key[key] = _applicable(deployment_rules, deployment)
            except TypeError:  # a kind no dict can hold (an adapter's own type): asked as it is
                applicable = _applicable(deployment_rules, deployment)
        if applicable:
            guarded(deployment.span, applicable, deployment, run)
    document_rules = by_scope.get(Scope.DOCUMENT)
    if document_rules:
        for document in documents:
            if run.is_reported(document):
                guarded(document, document_rules, document, run)
    if by_scope.get(Scope.RUN):
        labels = _variant_labels(run)
        left_out = labels[MAX_VARIANT_WORLDS:]
        if left_out:
            emit.core(
                "MD001",
                f"{len(labels):,} variant labels (stage files): the rules over the whole run judge the "
                f"deployments of the first {MAX_VARIANT_WORLDS} by name, not those read under the other {len(left_out):,} "
                f"({', '.join(left_out[:3])}{', ...' if len(left_out) > 3 else ''})",
                _first_read_under(run, frozenset(left_out)),
            )
        for label, world in _variant_worlds(run, labels[:MAX_VARIANT_WORLDS]):
            emit.world = label
            guarded(world.deployments[0].span if world.deployments else None, by_scope[Scope.RUN], world.deployments, world)
        emit.world = None


def _applicable(candidates: Sequence[Rule], deployment: Deployment) -> tuple[Rule, ...]:
    """The `candidates` that apply to `deployment` (`Rule.applies_to`), in their order.

    Rules declaring the same applicability are asked once (most declare
    none, or the same few).
    """
    verdicts: dict[tuple, bool] = {}
    applicable = []
    for candidate in candidates:
        declaration = (type(candidate), candidate.kinds, candidate.environments, candidate.ml_only)
        applies = verdicts.get(declaration)
        if applies is None:
            applies = verdicts[declaration] = candidate.applies_to(deployment)
        if applies:
            applicable.append(candidate)
    return tuple(applicable)


def _variant_worlds(run: RunContext, labels: Sequence[str]) -> Iterable[tuple[tuple[str, frozenset[str]] | None, RunContext]]:
    """The run as run-scope rules see it: whole, or once per variant label when files are judged several times.

    A rule over the whole run (endpoints that could share one, targets that
    scale nothing) must not count one deployment twice because its file is
    read under two stage files: it sees the deployments read once, with
    those of one variant label at a time. Each world comes with its label
    and the paths of the files read under variants, for its findings there
    to name the variant. `labels` are the ones to make a world of
    (`_variant_labels`, up to `MAX_VARIANT_WORLDS`).
    """
    if not labels:
        yield None, run
        return
    varied = frozenset(deployment.path for deployment in run.deployments if deployment.variant.known)
    # Each world holds the run's deployments (and targets) of no variant and those of its label, in run order:
    # the positions of each label's are found in one pass, not in one pass per label (thousands of stage files).
    deployments_unvaried, deployments_of = _positions_by_label(
        run.deployments, lambda deployment: str(deployment.variant.value) if deployment.variant.known else None
    )
    targets_unvaried, targets_of = _positions_by_label(run.scaling_targets, lambda target: target.variant or None)
    for label in labels:
        deployments = heapq.merge(deployments_unvaried, deployments_of.get(label, ()))
        targets = heapq.merge(targets_unvaried, targets_of.get(label, ()))
        world = replace(
            run,
            deployments=tuple(run.deployments[position] for position in deployments),
            scaling_targets=tuple(run.scaling_targets[position] for position in targets),
        )
        yield (label, varied), world


def _variant_labels(run: RunContext) -> list[str]:
    """The run's variant labels: its deployments', sorted, then its scaling targets' other ones, sorted."""
    labels = sorted({str(deployment.variant.value) for deployment in run.deployments if deployment.variant.known})
    return labels + sorted({target.variant for target in run.scaling_targets if target.variant} - set(labels))


def _first_read_under(run: RunContext, labels: frozenset[str]) -> Span:
    """Where the first deployment (else scaling target) read under one of `labels` starts."""
    for deployment in run.deployments:
        if deployment.variant.known and str(deployment.variant.value) in labels:
            return Span.point(deployment.span.path, deployment.span.line, deployment.span.column)
    target = next(target for target in run.scaling_targets if target.variant in labels)  # the labels are theirs
    return Span.point(target.span.path, target.span.line, target.span.column) if target.span else Span.point("<run>", 1)


def _positions_by_label(items: Sequence[Any], label_of: Callable[[Any], str | None]) -> tuple[list[int], dict[str, list[int]]]:
    """The positions in `items` of those without a label (`label_of` gives None), and of each label's, in order."""
    unlabelled: list[int] = []
    by_label: dict[str, list[int]] = {}
    for position, item in enumerate(items):
        label = label_of(item)
        if label is not None:
            by_label.setdefault(label, []).append(position)
        else:
            unlabelled.append(position)
    return unlabelled, by_label


def _merge_variants(findings: list[Finding]) -> list[Finding]:
    """One finding per cause: those identical under several variants merged, each naming its variants.

    Findings alike in rule, location, message, severity, subject and plugin
    are one finding whose message ends `(with prod-config.json,
    staging-config.json)`, the variants sorted, and whose related locations
    are those of all of them. Findings that differ (another severity,
    another value in the message) stay apart, each naming its own variant.
    """
    if not any(finding.variants for finding in findings):
        return findings
    merged: list[Finding] = []
    groups: dict[tuple, list[Finding]] = {}
    for finding in findings:
        if not finding.variants:
            merged.append(finding)
            continue
        key = (finding.rule_id, finding.span, finding.message, finding.severity, finding.subject, finding.plugin)
        groups.setdefault(key, []).append(finding)
    for group in groups.values():
        labels = tuple(sorted({label for finding in group for label in finding.variants}))
        related = tuple(dict.fromkeys(item for finding in group for item in finding.related))
        first = group[0]
        merged.append(first.replaced(message=f"{first.message} (with {', '.join(labels)})", variants=labels, related=related))
    return merged


def _may_suppress(texts: dict[str, str], ignores: Sequence[Ignore], options: LintOptions) -> bool:
    """Whether any suppression can apply: the suppression module is read only then."""
    config = options.config
    return bool(
        ignores
        or config.get("per-file-ignores")
        or any("mldeploy-lint:" in text for text in texts.values())
    )


def _with_severities(findings: list[Finding], config: Config, rules_by_id: dict[str, Rule]) -> list[Finding]:
    """Findings with the configuration's `[severity]` overrides (`CP001 = "error"`, IDs, prefixes or slugs)."""
    overrides = config.get("severity") or {}
    if not overrides:
        return findings
    levels: dict[str, Severity] = {}  # rule ID -> the first override that selects it
    for rule_id, owner in rules_by_id.items():
        for selector, level in overrides.items():
            if RuleSelector((selector,)).enabled(owner):
                levels[rule_id] = Severity(level)
                break
    return [finding.replaced(severity=levels[finding.rule_id]) if finding.rule_id in levels else finding for finding in findings]


def _single_deployment_lines(deployments: Sequence[Deployment], documents: Sequence[Document]) -> dict[Span, int]:
    """For each deployment alone in its document, that document's first line (a suppression there covers it)."""
    # Per file, its documents by their first lines (a stream's follow each other already), so that a
    # deployment's document is found by bisection, not by a pass over every document of a long stream.
    by_path: dict[str, list[Document]] = {}
    for document in documents:
        if document.root is not None:
            by_path.setdefault(document.path, []).append(document)
    starts_of: dict[str, list[int]] = {}
    for path, held_documents in by_path.items():
        held_documents.sort(key=lambda document: document.root.start[0])
        starts_of[path] = [document.root.start[0] for document in held_documents]
    holders: dict[int, list[Deployment]] = {}
    owner: dict[int, Document] = {}
    for deployment in deployments:
        starts = starts_of.get(deployment.path)
        if starts is None:
            continue
        line = deployment.span.line
        position = bisect.bisect_right(starts, line) - 1
        if position < 0:
            continue
        document = by_path[deployment.path][position]
        if line <= document.root.end[0]:
            held = holders.setdefault(id(document), [])
            if not any(other.id == deployment.id for other in held):  # one deployment under several variants
                held.append(deployment)
            owner[id(document)] = document
    return {
        found[0].span: owner[key].root.span.line for key, found in holders.items() if len(found) == 1
    }


def _with_origins(findings: list[Finding], documents: Sequence[Document]) -> list[Finding]:
    """Findings inside a document of a rendered stream, told the template it came from."""
    starts: dict[str, list[tuple[int, int, str]]] = {}
    for document in documents:
        if document.origin:
            span = document.span
            # A span ending at column 1 stops before its end line (the next `---`).
            last = span.end_line - 1 if span.end_column <= 1 and span.end_line > span.line else span.end_line
            starts.setdefault(span.path, []).append((span.line, last, document.origin))
    if not starts:
        return findings
    for spans in starts.values():
        spans.sort()
    located = []
    for finding in findings:
        spans = starts.get(finding.span.path)
        origin = ""
        if spans:
            position = bisect.bisect_right(spans, (finding.span.line, float("inf"), "")) - 1
            if position >= 0 and spans[position][0] <= finding.span.line <= spans[position][1]:
                origin = spans[position][2]
        located.append(finding.replaced(origin=origin) if origin else finding)
    return located


def _cached_load(item: InputFile, host: PluginHost, options: LintOptions, emit: "_Emitter") -> SourceFile:
    """`_load` under the time limit, through `options.source_cache` and `options.disk_cache` when there are.

    Only files that are not unrendered templates come here (`_loaded` asks
    first): whether a file is one depends on its neighbours (a chart's
    `Chart.yaml`), not only on its content, which is all the caches key on.

    A load that overran or during which a plugin failed is not cached: the
    next run tries again (and reports the failure again).
    """
    cache, key = options.source_cache, None
    if cache is not None:
        from linter.source_cache import MISSING

        key = cache.key(item, options.limits)
        cached = cache.get(key)
        if cached is not MISSING:
            return cached  # type: ignore[return-value]
    disk, disk_key = options.disk_cache, ""
    if disk is not None:
        from linter import disk_cache, source_codec

        disk_key = disk.key(item, options.limits)
        stored = disk.get(disk_key, options.limits)
        if stored is not disk_cache.MISSING:
            try:
                source = source_codec.decode(stored, item.decoded(options.limits)[0], host.node_codecs())
            except ValueError:
                pass  # a damaged or foreign entry: parse, and write it again
            else:
                if source.path == item.path:
                    if cache is not None:
                        cache.put(key, source)
                    return source
    source, cacheable = _timed_load(item, host, options, emit)
    if cacheable and cache is not None:
        cache.put(key, source)
    if cacheable and disk is not None:
        try:
            disk.put(disk_key, source_codec.encode(source, item.decoded(options.limits)[0], host.node_codecs()))
        except source_codec.Unencodable:
            pass  # a plugin's own kind of parsed file: parsed again next time
    return source


def _timed_load(item: InputFile, host: PluginHost, options: LintOptions, emit: "_Emitter") -> tuple[SourceFile, bool]:
    """`_load` under the time limit, and whether its result may be cached (no overrun, no plugin failure)."""
    reported_before = len(emit.findings)
    try:
        with time_limit(options.file_timeout):
            source = _load(item, host, options, emit)
    except Overrun:
        message = f"reading this file took longer than {options.file_timeout:g} s (the per-file time limit); not linted"
        return SourceFile(item.path, "", (), (LoadProblem(message, Span.point(item.path, 1)),)), False
    return source, len(emit.findings) == reported_before


def _loaded(inputs: Sequence[InputFile], host: PluginHost, options: LintOptions, emit: "_Emitter") -> Iterator[tuple[InputFile, SourceFile | UnrenderedTemplate]]:
    """Each input to lint with what it loaded to: unrendered templates first, then the others in input order.

    A plugin says which files are unrendered templates (a Helm chart's
    templates and values); those are never parsed. With several jobs the
    other files are loaded in worker processes (`linter.parallel`); what
    they report comes back in the same order, so the run's output does not
    change.
    """
    pending = []
    for item in inputs:
        unrendered = _unrendered(item, host, options, emit)
        if unrendered is not None:
            yield item, unrendered
        else:
            pending.append(item)
    if options.jobs != 1 and options.source_cache is None:
        from linter import parallel

        jobs = parallel.jobs_for(options.jobs, pending)
        if jobs > 1:
            yield from parallel.load_in_processes(pending, host, options, emit, jobs)
            return
    for item in pending:
        yield item, _cached_load(item, host, options, emit)


def _unrendered(item: InputFile, host: PluginHost, options: LintOptions, emit: "_Emitter") -> UnrenderedTemplate | None:
    """What the first plugin that says `item` is an unrendered template says of it; None when none does."""
    text, _ = item.decoded(options.limits)
    with time_limit(options.file_timeout):
        try:
            found = _first(host, emit, item.path, "mldeploy_unrendered_template", "while looking at this file", path=item.path, text=text)
        except Overrun:
            return None  # parsed as any file, under the same limit, which reports the overrun
    return found.result if found is not None else None


def _load(item: InputFile, host: PluginHost, options: LintOptions, emit: "_Emitter") -> SourceFile:
    """The file read by the first plugin that takes it, or the core loader, with its documents' origins."""
    text, problem = item.decoded(options.limits)
    if text is None:
        assert problem is not None
        return SourceFile(item.path, "", (), (problem,))
    loaded = _first(host, emit, item.path, "mldeploy_load", "while loading this file", path=item.path, text=text, limits=options.limits)
    source = loaded.result if loaded is not None else load_text(item.path, text, options.limits)
    if not source.documents:
        return source
    told = _first(host, emit, item.path, "mldeploy_document_origins", "while reading where this file was rendered from", source=source)
    if told is None or not any(told.result):
        return source
    if len(told.result) != len(source.documents):
        message = f"gave {len(told.result)} origins for the {len(source.documents)} documents of this file"
        emit.plugin_error(told.plugin, f"plugin {told.plugin!r} {message}", Span.point(item.path, 1))
        return source
    return source.with_origins(told.result)


def _first(host: PluginHost, emit: "_Emitter", file: str, hook_name: str, doing: str, **kwargs: Any) -> "HookResult | None":
    """The first implementation of a hook that answers; one that fails is reported at the file and the next one asked."""
    for outcome in host.call_each(hook_name, **kwargs):
        if outcome.error is not None:
            emit.plugin_error(
                outcome.plugin,
                f"plugin {outcome.plugin!r} raised {_describe(outcome.error)} {doing}",
                Span.point(file, 1),
                outcome.error,
            )
            continue
        return outcome
    return None


@dataclass
class _Unrendered:
    """Unrendered template files met in a run, by group (a file without one stands alone)."""

    groups: dict[str, list[tuple[str, UnrenderedTemplate]]] = field(default_factory=dict)

    def add(self, path: str, template: UnrenderedTemplate) -> None:
        self.groups.setdefault(template.group or path, []).append((path, template))

    def paths(self) -> list[str]:
        return [path for members in self.groups.values() for path, _ in members]

    def notes(self) -> Iterable[tuple[str, Span]]:
        """One (message, span) per group, at its first file, with the note that file was given."""
        for key in sorted(self.groups):
            first, template = min(self.groups[key], key=lambda member: member[0])
            count = len(self.groups[key])
            files = f"{count} template file{'s' if count != 1 else ''}"
            yield template.note.replace("{files}", files), Span.point(first, 1)


def _apply_options(
    deployment: Deployment, options: LintOptions, non_stage_names: tuple[str, ...] = (), by_path: dict[str, Sourced | None] | None = None
) -> Deployment:
    """The environment, in order: --environment, the file, configured path globs, stage words in the path.

    `by_path` keeps what each path gives (`_path_environment`) for the next
    deployment of the same file: a stream of thousands of documents reads
    its path once.
    """
    if options.environment is not None:
        return deployment.replaced(
            environment=Sourced(options.environment, None, Provenance.DECLARED, "--environment / configuration"),
        )
    if deployment.environment.known:
        return deployment
    path = deployment.path
    if by_path is None:
        environment = _path_environment(path, options, non_stage_names)
    elif path in by_path:
        environment = by_path[path]
    else:
        environment = by_path[path] = _path_environment(path, options, non_stage_names)
    return deployment if environment is None else deployment.replaced(environment=environment)


def _path_environment(path: str, options: LintOptions, non_stage_names: tuple[str, ...]) -> Sourced | None:
    """The environment a deployment of `path` gets from the configured path globs or the path's stage words; None: none."""
    environments = options.config.get("environments", {})
    from_glob = _environment_from_globs(path, environments.get("paths", {}), options.config)
    if from_glob is not None:
        stage, glob = from_glob
        return Sourced(stage, None, Provenance.DECLARED, f"path matches {glob!r} in {options.config.path}")
    if not environments.get("path-words", True):
        return None
    from_path = environment_from_path(_within_repository(path), non_stage_names)
    if from_path is None:
        return None
    stage, word = from_path
    return Sourced(stage, None, Provenance.INFERRED, f"the path names {word!r}")


def _within_repository(path: str) -> str:
    """The part of `path` that stage words are read from: below its repository root.

    Where the checkout lives (`/home/ci/test-runner/`, `/srv/staging-box/`)
    says nothing about the stage of the files in it. Outside a repository:
    the path below the current directory, or the file name alone.
    """
    return _below_root(os.path.abspath(path), os.getcwd())


@functools.lru_cache(maxsize=4096)
def _below_root(absolute: str, cwd: str) -> str:
    *_, top = up_to_repository_root(os.path.dirname(absolute))
    if not is_repository_root(top):
        top = cwd
    relative = os.path.relpath(absolute, top)
    return os.path.basename(absolute) if relative.startswith("..") else relative


def _environment_from_globs(path: str, globs: dict, config: Config) -> tuple[Environment, str] | None:
    if not globs:
        return None
    for stage in (Environment.PROD, Environment.STAGING, Environment.DEV):
        for glob in globs.get(stage.value, ()):
            if config.matches(glob, path):
                return stage, glob
    return None


def _document_anchor(document: Document) -> Span:
    span = document.span
    return Span.point(span.path, span.line, span.column)


def _anchor_span(anchor: Span | Document | None) -> Span | None:
    """Where a failure of a rule is reported: `anchor`, or the start of the document given as one."""
    return _document_anchor(anchor) if isinstance(anchor, Document) else anchor


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# A file that could not be read, a plugin that failed and a template left
# unrendered are reported even when --select names other rules: they say
# that checks did not run. Only an
# explicit --ignore silences them.
_ALWAYS_REPORTED = ("MD001", "MD002", "MD005")


def _selected(finding: Finding, rules_by_id: dict[str, Rule], selector: RuleSelector) -> bool:
    owner = rules_by_id.get(finding.rule_id)
    if owner is None:
        return True
    if owner.id in _ALWAYS_REPORTED:
        return not selector.ignores(owner)
    return selector.enabled(owner)


@dataclass
class _Emitter:
    """Collects findings; turns plugin exceptions into MD002 findings."""

    rules_by_id: dict[str, Rule]
    findings: list[Finding]
    # While run-scope rules see one variant's world: its label, and the files read under variants.
    world: tuple[str, frozenset[str]] | None = None
    # id(deployment) -> what deployment-scope rules could not judge there (the run keeps the deployments alive).
    not_judged: dict[int, list[NotJudged]] = field(default_factory=dict)
    # The ID of the rule `check_each` last called ("" before any).
    running: str = ""

    def core(self, rule_id: str, message: str, span: Span, severity: Severity | None = None) -> None:
        owner = self.rules_by_id.get(rule_id) or self.rules_by_id["MD001"]
        self.findings.append(owner.finding(Violation(message, span, severity)))

    def plugin_failure(self, plugin: str, doing: str, error: BaseException | None) -> None:
        """MD002 for a plugin that raised `error` (or, when None, gave a wrong answer: `doing` says which) `doing` something."""
        said = f"raised {_describe(error)} {doing}" if error is not None else doing
        self.plugin_error(plugin, f"plugin {plugin!r} {said}", Span.point(f"<plugin:{plugin}>", 1), error)

    def plugin_error(self, plugin: str, message: str, span: Span, error: BaseException | None = None) -> None:
        message = " ".join(message.split())  # one finding, one line, whatever the exception says
        if error is not None:
            frame = _innermost_frame(error)
            if frame:
                message += f" (at {frame})"
        owner = self.rules_by_id["MD002"]
        self.findings.append(owner.finding(Violation(message, span)).replaced(plugin=plugin))

    def check_each(self, candidates: Iterable[Rule], anchor: Span | Document | None, args: tuple) -> None:
        """Call each rule's check with `args`, in order, keeping what it yields; one that raises is MD002 at `anchor`.

        A document as `anchor` stands for its start (`_document_anchor`), made
        only when a rule fails there.

        `running` names the rule being called (for a time-limit report). One
        call for all the rules of a deployment (or document, or world):
        what they share is looked at once, not once per rule.
        """
        subject = args[0] if args and isinstance(args[0], Deployment) else None
        about: dict[str, Any] | None = None
        findings = self.findings
        for candidate in candidates:
            self.running = candidate.id
            try:
                for violation in candidate.check(*args) or ():
                    if isinstance(violation, NotJudged):
                        if subject is None:
                            raise TypeError("check yielded NotJudged outside a deployment-scope rule")
                        self.not_judged.setdefault(id(subject), []).append(replace(violation, rule_id=candidate.id))
                        continue
                    if not isinstance(violation, Violation):
                        raise TypeError(f"check yielded {type(violation).__name__}, not a Violation")
                    if subject is None:
                        finding = candidate.finding(violation)
                        if self.world is not None and finding.span.path in self.world[1]:
                            finding = finding.replaced(variants=(self.world[0],))
                        findings.append(finding)
                        continue
                    if about is None:  # what every finding of the deployment says of it, read once
                        name = subject.id.split("#", 1)[1] if "#" in subject.id else subject.id
                        variants = (str(subject.variant.value),) if subject.variant.known else ()
                        about = {"subject": name, "subject_span": subject.span, "variants": variants}
                    if candidate.__class__ is Rule:  # the deployment's fields given at once, not copied in
                        finding = candidate.finding(violation, **about)
                    elif about["variants"]:
                        finding = candidate.finding(violation).replaced(**about)
                    else:  # a subclass's own finding keeps its variants
                        finding = candidate.finding(violation).replaced(subject=about["subject"], subject_span=about["subject_span"])
                    findings.append(finding)
            except (KeyboardInterrupt, Overrun):
                raise
            except BaseException as error:  # a plugin's SystemExit is its failure, not the run's end
                where = _anchor_span(anchor) or Span.point(f"<plugin:{candidate.plugin}>", 1)
                self.plugin_error(
                    candidate.plugin,
                    f"plugin {candidate.plugin!r} raised {_describe(error)} in rule {candidate.id}",
                    where,
                    error,
                )


def _innermost_frame(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
