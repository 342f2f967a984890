"""The plugin contract: every hook mldeploy-lint calls, each with its contract.

Plugins implement hooks with `@linter.hookimpl` on module-level functions
(or methods) named exactly as below, and are found through the entry-point
group `mldeploy_lint` — the built-in plugins register through that same
group. A hook may be implemented by any number of plugins; unless a hook
says "first non-None result wins", every implementation is called, one at a
time, and one that raises is isolated: the engine reports an
`MD002 plugin-error` finding naming the plugin and goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from linter.commands import Command
    from linter.context_selection import ContextPrefilter
    from linter.engine import ContextRequest, RunContext
    from linter.model import Deployment, InputProblem, ScalingTarget, SuppressionEdit
    from linter.reporting import Reporter
    from linter.rules import Rule
    from linter.nodes import Node, Span
    from linter.options import OptionSection
    from linter.source import Document, LoadLimits, SourceFile, UnrenderedTemplate
    from linter.source_codec import NodeCodec

PROJECT = "mldeploy_lint"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def mldeploy_rules() -> "Sequence[Rule]":
    """Return the rules this plugin provides.

    Called once per run. Each rule's ID and slug must be unique across all
    plugins: a duplicate stops the run with a configuration error (exit 2)
    naming both plugins. Rules are `linter.Rule` objects, usually made with
    the `@linter.rule` decorator.
    """


@hookspec
def mldeploy_file_patterns() -> "Sequence[str]":
    """Return extra file-name glob patterns (e.g. `*.tf`) to pick up when
    directories are searched.

    The core already discovers `*.yaml`, `*.yml`, `*.json` and `*.template`.
    Files named explicitly on the command line are always read.
    """


@hookspec(firstresult=True)
def mldeploy_load(path: str, text: str, limits: "LoadLimits") -> "SourceFile | None":
    """Parse a file type the core does not read; first non-None result wins.

    `path` is the display path, `text` the decoded content. Return a
    `linter.source.SourceFile` with located documents (and located
    problems for anything that does not parse), or None to let another
    plugin or the core YAML/JSON loader read it. Must not raise for bad
    input.
    """


@hookspec
def mldeploy_node_codecs() -> "Sequence[NodeCodec]":
    """Return a `linter.NodeCodec` for each node type of this plugin's own that `mldeploy_load` puts in a file.

    A parsed file is kept in the parse cache (and carried back from a
    worker process under `--jobs`) as plain data; the core writes its own
    node types, and a plugin's through the codec naming it. A file holding
    a node type no codec names is parsed again on every run. Called once
    per run; return data and import nothing (the codec names its node type
    as text, and its functions may import what they need when called).
    Two codecs of one name stop the run with a configuration error (exit 2)
    naming both plugins.
    """


@hookspec
def mldeploy_context_wanted(path: str, text: str, request: "ContextRequest") -> "bool | None":
    """Whether the context file `path` is worth parsing for this plugin's links; True wins.

    Called once per context file (a file read only for cross-file links,
    never reported on), before it is parsed, with `text` its decoded
    content. Return True when this plugin may read something of it through
    `run.documents` (an autoscaler, a stage file beside a linted template),
    False or None when it may not. The file is parsed when any plugin
    returns True, and skipped otherwise: it is then not in `run.documents`.
    Decide from the path and the raw text (a substring test: this is called
    for every file of a repository, and must be far cheaper than parsing),
    and err towards True. `request.linted` maps each file being linted to
    its text, `request.settings(section)` gives the run's configuration,
    and `request.memo(key, factory)` keeps a per-run value (what the linted
    files hold). Every context file is parsed, as if every plugin returned
    True, when a plugin that reads the run (implements `mldeploy_extract`
    or `mldeploy_link`) does not implement this hook. A plugin that raises
    is reported (MD002) and counts as True. Give `mldeploy_context_prefilter`
    too, and this hook is asked only about the files the prefilter leaves.
    """


@hookspec
def mldeploy_context_prefilter(request: "ContextRequest") -> "ContextPrefilter | None":
    """Which context files this plugin's `mldeploy_context_wanted` is to be asked about in this run (a `linter.ContextPrefilter`).

    Called once per run that has context files, before any is read, with
    the request `mldeploy_context_wanted` gets. Return the words a file
    must hold (or a test of its path) for this plugin to be asked about it:
    a superset of the files it may want. Which words each file holds is
    remembered between runs by the file's status, so a file that holds no
    word any plugin gives (and passes no plugin's path test) is neither
    read nor asked about: that is what keeps a pre-commit run in a large
    repository near the cost of its changed files. `ContextPrefilter()`
    wants no file this run; None (or not implementing this hook) has the
    plugin asked about every file. A plugin that raises or returns
    something else is reported (MD002) and asked about every file.
    """


@hookspec
def mldeploy_non_stage_names() -> "Sequence[str]":
    """Return names that contain a stage word but name something else (a product: `production-stack`).

    Called once per run. Where the core reads a deployment's stage from
    the words of its file's path (`envs/prod/`, `model-stg.yaml`), these
    names, matched as whole words without regard to case, are not read
    for stage words: `production-stack/examples/` names no stage. An
    adapter that reads file names the same way passes them on from
    `run.non_stage_names` to `linter.environment_from_path`.
    """


@hookspec(firstresult=True)
def mldeploy_unrendered_template(path: str, text: "str | None") -> "UnrenderedTemplate | None":
    """Say that a file is a template's source, not a deployment config; first non-None result wins.

    Called for every file before it is parsed (before `mldeploy_load`),
    with its display path and decoded text (None when the bytes are not
    text: the core reports that unless a plugin answers). Return a
    `linter.UnrenderedTemplate` for a file that only a renderer can read
    (a Helm chart's template, a Go-template file) or that only feeds one
    (a chart's values): the core does not parse it, and notes it once per
    group as `MD005 unrendered-template` with the note you give, or skips
    it without a word when the note is empty. Return None for any other
    file. Must not raise for odd input; keep it cheap (it sees every file).
    """


@hookspec(firstresult=True)
def mldeploy_document_origins(source: "SourceFile") -> "Sequence[str] | None":
    """Say where each document of a loaded file was rendered from; first non-None result wins.

    Called once per file after it is loaded (by the core or a plugin's
    `mldeploy_load`). For a stream a renderer wrote (`helm template`
    output, whose `# Source:` comments name each document's template),
    return one string per document of `source.documents`, in order: the
    template a document came from, or "" when the stream does not say.
    The core sets it as `Document.origin`, and findings inside the
    document name it (`Finding.origin`). Return None for a file that is
    not such a stream. Must not raise for odd input.
    """


@hookspec
def mldeploy_embedded_documents(document: "Document", run: "RunContext") -> "Sequence[Node] | None":
    """Documents written inside another format's values, for other adapters to read (a Kubernetes object in Terraform).

    Called once per document of the run (context files included), after
    every file is loaded and before any is extracted, with `run.documents`
    holding the loaded documents. Return the roots of the documents that
    `document` describes in another format (a `kubernetes_deployment`
    resource's Kubernetes object, a `manifest` argument), each a located
    node tree (`linter.MappingNode` ...) whose every node's span is in
    `document`'s file (the value it was built from), or None for none.
    Write a value that is not known where it is written as a template
    placeholder (`"${var.name}"`), which adapters read as unknown.

    The core makes each root a `linter.Document` of the same path, index and
    source, with `embedded_in` set to `document`, adds it to `run.documents`
    (after the documents of the files), and extracts it with
    `mldeploy_extract` as a document of the file when the file is linted:
    other adapters read and link it as any document of their format,
    and findings in it are findings in the file. An adapter returns None
    from `mldeploy_extract` for a document embedded in its own format's
    file (`document.embedded_in is not None`). A value `run.memo` builds
    while this hook runs sees the run without embedded documents: build an
    index of `run.documents` in `mldeploy_extract`, not here. Must not raise
    for odd input; bound what it builds.
    """


@hookspec
def mldeploy_extract(document: "Document", run: "RunContext") -> "Iterable[Deployment | InputProblem] | None":
    """Turn one parsed document into deployments of the platform-neutral model.

    Called once per document of the files being linted. Return None when
    this adapter does not recognise the document; otherwise an iterable
    (possibly empty) of `linter.Deployment`s, located `linter.InputProblem`s
    for defects found while reading, `linter.ScalingTarget`s for every
    autoscaling target read (linked or not), and `linter.Ignore`s for the
    suppressions written in the document (CloudFormation Metadata,
    Kubernetes annotations), which the engine applies, and optionally a
    `linter.DocumentFormat` saying what the document was recognised as
    (other plugins ask `run.formats_of(document)`). Return a list, not a
    generator: None must be distinguishable. `run` gives
    read access to every document of the run (`run.documents`, including
    context files that are not themselves reported on) for cross-document
    links, and a per-run memo (`run.memo`) for indexes built once.
    An adapter that judges a file several times with different context
    (a template once per stage file) returns one Deployment per variant,
    each with `variant` set (see `linter.Deployment`); the engine names the
    variants in the findings and merges findings alike across them.
    Adapters never judge: they describe, rules decide.
    """


@hookspec
def mldeploy_context_links(document: "Document", run: "RunContext") -> "Iterable[Deployment | ScalingTarget] | None":
    """What a context document offers the links of the files being linted: the deployments it defines, the scaling targets it holds.

    Called once per document of a context file (a file read only for
    links, never reported on) after the files being linted are extracted
    and before `mldeploy_link`, so that a pre-commit run of one changed
    file links as a run over every file does: a template changed alone
    still finds the scaling target of its endpoint that another template
    beside it holds, and a target changed alone the endpoint it names.
    Return what `mldeploy_extract` would return for it (the core keeps
    its deployments and scaling targets and ignores anything else), or None. The core judges none of it and
    reports nothing about it: during `mldeploy_link`, the deployments
    follow the run's own in `run.deployments` and the targets follow its
    targets in `run.scaling_targets` (re-link them as any other); after
    it, the deployments are dropped and the targets are
    `run.context_scaling_targets`, for a rule asking whether scaling it
    cannot see may scale a deployment. A plugin that raises or overruns
    the per-file time limit here is skipped without a report (as a context
    file's extraction would be). It runs for every context document:
    return None at once for documents no link needs (an adapter whose own
    index already reads the context files need not implement it).
    """


@hookspec
def mldeploy_link(run: "RunContext") -> "Sequence[ScalingTarget] | None":
    """Link, across the run, what an adapter could not link within one document.

    Called once per run after every document is extracted (in a run
    without scaling targets too), with `run.deployments` and
    `run.scaling_targets` holding what all adapters read. Return
    `run.scaling_targets` in the same order, with the targets
    this adapter read re-linked (`status`, `refers_to`, `searched_run`;
    see `linter.ScalingTarget`), or None to change nothing. Adapters are
    called one after the other, each seeing the previous one's links.
    Adapters never judge: a target that scales nothing keeps a status that
    says so, and rules decide.
    """


@hookspec
def mldeploy_reporters() -> "Sequence[Reporter]":
    """Return output formats (`linter.Reporter`) this plugin provides.

    A reporter's `name` is what `--format` accepts; names must be unique.
    """


@hookspec(firstresult=True)
def mldeploy_suppression_edit(document: "Document", span: "Span", rule_id: str, reason: str) -> "SuppressionEdit | None":
    """The edit that excuses `rule_id` for the resource or object of `document` holding `span`; first non-None wins.

    For an editor's "suppress for this resource" quick fix. Return a
    `linter.SuppressionEdit` that adds the suppression in the form this
    adapter reads (CloudFormation `Metadata`, a Kubernetes annotation)
    with `reason` as its reason, as a minimal insertion that leaves every
    other character of the file (comments included) as it is; None when
    the document is not this adapter's, nothing of it holds `span`, or no
    such insertion is certain (a flow-style mapping, a list form). Must not
    raise for odd input.
    """


@hookspec
def mldeploy_commands() -> "Sequence[Command]":
    """Return subcommands this plugin adds to the command line (`mldeploy-lint NAME ...`).

    Each is a `linter.Command`: a name (lower-case words joined by
    hyphens), a one-line help, a function that adds the command's
    arguments to its `argparse` sub-parser, and a run function that takes
    the parsed arguments and a `linter.CommandContext` (the run's plugin
    host and configuration, linting, output writing) and returns the exit
    code. Called when the first argument is not a file and not a built-in
    subcommand (`rules`, `explain`, `lsp`), and for `--help`. A name
    registered twice, or the name of a built-in subcommand, stops the run
    with a configuration error (exit 2) naming the plugins. Keep the
    hook cheap: import what the command needs inside its functions.
    """


@hookspec
def mldeploy_options() -> "Sequence[OptionSection]":
    """Return the configuration sections (with their command-line flags) this plugin owns.

    Each is a `linter.OptionSection`: the section's name (`[NAME]` in
    `mldeploy-lint.toml`, `[tool.mldeploy-lint.NAME]` in `pyproject.toml`),
    the JSON Schema (draft 7) fragment its value must satisfy, and
    `linter.Option`s: long flags that set one key of the section each,
    shown in `mldeploy-lint --help` under the plugin's name. The core
    validates the configuration against its own schema with every
    plugin's sections merged in, and a flag's value with it, so a wrong
    key or value of a plugin's section is reported exactly like a built-in
    one (located, exit 2). The plugin reads the validated section through
    the run: `run.settings(NAME)` (None when the file does not set it).
    A string whose schema says `"format": "gitignore-pattern"` is checked
    as a path glob (a key: under `propertyNames`), like `exclude`.
    Called once per run, before the configuration is read; keep it cheap
    (return data, import nothing heavy). A section name, a key or a flag
    declared twice, or a flag the core already has, stops the run with a
    configuration error (exit 2) naming the plugins. Several plugins may
    add keys to one section when every declaration is a table of keys
    (`environments` takes a key from each adapter).
    """
