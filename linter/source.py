"""Safe, fast loading of YAML and JSON text into located nodes.

Text is parsed by libyaml (ruamel.yaml's C-accelerated parser), and
`linter.nodes` with their positions are built straight from its events, in
one pass without recursion (ruamel.yaml's own node tree is never made). Nothing is ever constructed from a tag: tags are
kept as strings on the nodes. The loader never raises for bad input; every
problem becomes a located `LoadProblem`, and what could be read is returned.

Safety limits (`LoadLimits`) bound file size, nesting depth and the size of
the tree once aliases are expanded (alias bombs), and recursive aliases are
refused, so that no walk over a loaded document can blow up.
"""

from __future__ import annotations

import codecs
import gc
import json
import re
import sys
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Callable, Iterator, NoReturn

from linter import flow_colons
from linter.nodes import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    Span,
    located_flat_mapping,
    located_scalar,
    located_sequence,
    to_python,
)
from linter.rules import Severity

__all__ = ["Document", "LoadLimits", "LoadProblem", "SourceFile", "UnrenderedTemplate", "load_text", "decode_bytes"]


@dataclass(frozen=True)
class LoadLimits:
    """Bounds applied while loading one file."""

    max_bytes: int = 20 * 1024 * 1024
    max_depth: int = 256
    max_expanded_nodes: int = 1_000_000


@dataclass(frozen=True)
class LoadProblem:
    """Why (part of) a file could not be read, and where.

    `severity` is None for the parse-error rule's own (an error); a problem
    that leaves the meaning intact (a key repeated with the same value) is a
    warning.
    """

    message: str
    span: Span
    severity: Severity | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Document:
    """One parsed YAML/JSON document of a source file.

    `index` is the 0-based position in a multi-document stream; `root` is
    the located node tree (None for an empty document). `origin` is where a
    rendered stream says the document came from (the template a renderer
    made it from), as a plugin's `mldeploy_document_origins` reads it; ""
    when none. Findings inside the document name it. `embedded_in` is the
    document of the file whose value this one was built from, by a plugin's
    `mldeploy_embedded_documents` (a Kubernetes object a Terraform resource
    describes): `path`, `index` and `source` are then that document's, and
    every node of `root` is located in that file.
    """

    path: str
    index: int
    root: Node | None
    source: "SourceFile" = field(repr=False)
    origin: str = ""
    embedded_in: "Document | None" = field(default=None, repr=False)

    @property
    def span(self) -> Span:
        """The document's whole extent, or the file start when it is empty."""
        return self.root.span if self.root is not None else Span.point(self.path, 1)


@dataclass(frozen=True, eq=False)
class SourceFile:
    """A file (or stdin) as read: its text, its documents, its problems."""

    path: str
    text: str
    documents: tuple[Document, ...]
    problems: tuple[LoadProblem, ...]

    @property
    def lines(self) -> list[str]:
        """The text split into lines (for suppression comments and snippets)."""
        return self.text.splitlines()

    def with_origins(self, origins: "tuple[str, ...]") -> "SourceFile":
        """The same file with `origins[i]` as the origin of its i-th document (see `Document.origin`)."""
        source = SourceFile(self.path, self.text, (), self.problems)
        documents = tuple(
            Document(document.path, document.index, document.root, source, origin)
            for document, origin in zip(self.documents, origins)
        )
        object.__setattr__(source, "documents", documents)
        return source


@dataclass(frozen=True)
class UnrenderedTemplate:
    """A file that is a template's source (or its input), not a deployment config: it is not parsed.

    `note` is what the `MD005 unrendered-template` note says of it (how to
    lint what it renders to), "" to skip the file without a word (a
    template's values). Files with the same `group` (a chart's directory)
    share one note, at the first of them; where `note` holds `{files}`,
    the note says there how many of the run's files the group has
    ("3 template files"). An empty `group` is the file alone.
    """

    note: str
    group: str = ""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(
    path: str, data: bytes, limits: LoadLimits = LoadLimits(), truncated: bool = False
) -> tuple[str | None, LoadProblem | None]:
    """Decode file bytes to text, honouring a byte-order mark.

    Returns (text, None) or (None, problem) for binary or non-UTF text, and
    for bytes above `limits.max_bytes` — or only the start of a longer file
    (`truncated`) — which are not decoded at all.
    """
    if truncated or len(data) > limits.max_bytes:
        return None, _too_large(path, len(data), limits, truncated)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                return body.decode(encoding), None
            except UnicodeDecodeError as error:
                return None, _decode_problem(path, body, error, encoding)
    if b"\x00" in data[:8192]:
        return None, LoadProblem("binary file (contains NUL bytes), not YAML or JSON text", Span.point(path, 1))
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, _decode_problem(path, data, error, "utf-8")


def _decode_problem(path: str, data: bytes, error: UnicodeDecodeError, encoding: str) -> LoadProblem:
    """Where decoding failed: line and byte column within the text after any BOM."""
    offset = error.start
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    if "truncated" in error.reason or offset >= len(data):
        detail = "truncated: the file ends inside a character"
    else:
        detail = f"undecodable byte 0x{data[offset]:02x}"
    return LoadProblem(f"file is not valid {encoding.upper()} text ({detail})", Span.point(path, line, column))


def load_text(path: str, text: str, limits: LoadLimits = LoadLimits()) -> SourceFile:
    """Parse `text` (YAML 1.2 or JSON, possibly multi-document) from `path`.

    Never raises for bad input: syntax errors, over-deep nesting, alias bombs
    and duplicate keys are reported as `LoadProblem`s with their location.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    problems: list[LoadProblem] = []
    # A character takes at most 4 bytes in UTF-8: count bytes only when it matters.
    size = len(text) if len(text) * 4 <= limits.max_bytes else len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        return SourceFile(path, text, (), (_too_large(path, size, limits),))

    too_deep = _nesting_beyond(path, text, limits.max_depth)
    if too_deep is not None:
        return SourceFile(path, text, (), (too_deep,))
    # Paused until the file is whole: a collection while its nodes are young would walk them all,
    # for nothing (see _gc_paused); the pure-Python retry and the JSON loader build nodes too.
    with _gc_paused():
        roots, error = _load_stream(path, text, limits, problems)
        if error is not None:
            problems.append(error)
            # One broken document of a stream costs that document only: the
            # documents from the next `---` on are read one by one (a marker at
            # column 0 always starts a document in YAML, even inside a scalar).
            for segment, line_offset in _segments_after(text, max(error.span.line, 2)):
                part_roots, part_error = _load_stream(path, segment, limits, problems, line_offset)
                roots.extend(part_roots)
                if part_error is not None:
                    problems.append(part_error)
        source = SourceFile(path, text, (), ())
        documents = tuple(Document(path, index, root, source) for index, root in enumerate(roots))
        object.__setattr__(source, "documents", documents)
        object.__setattr__(source, "problems", tuple(problems))
    return source


def _load_stream(
    path: str, text: str, limits: LoadLimits, problems: list[LoadProblem], line_offset: int = 0
) -> tuple[list[Node | None], LoadProblem | None]:
    """Read `text` with libyaml, then the YAML 1.2 and JSON second chances; the first error stops.

    `text` starts `line_offset` lines into the file: every span is shifted by it.
    """
    own: list[LoadProblem] = []
    with _gc_paused():
        roots, error = _read(path, text, limits, own, line_offset=line_offset)
    if error is not None and any(marker in error.message for marker in _YAML_1_1_ONLY_ERRORS):
        retry_problems: list[LoadProblem] = []
        # libyaml again, with the colons YAML 1.2 reads as text masked (linter.flow_colons);
        # where that fails too, the YAML 1.2 reading is the right one, success or not: its
        # error (if any) is the file's real defect, libyaml's was a 1.1 artefact.
        masked = flow_colons.masked(text)
        if masked is not None:
            with _gc_paused():
                roots, error = _read(path, masked[0], limits, retry_problems, line_offset=line_offset, placeholder=masked[1])
        if error is not None:
            retry_problems = []
            roots, error = _read(path, text, limits, retry_problems, pure=True, line_offset=line_offset)
        own = retry_problems
    if error is not None and _looks_like_json(path, text):
        if line_offset:  # a later document of a stream: `---` is never JSON, so only the error is new
            _, json_error = _load_json(path, text, limits, [], error)
            if json_error is not None and json_error is not error:
                span = json_error.span
                shifted = Span(path, span.line + line_offset, span.column, span.end_line + line_offset, span.end_column)
                error = LoadProblem(json_error.message, shifted, json_error.severity)
        else:
            roots, error = _load_json(path, text, limits, own, error)
    problems.extend(own)
    return roots, error


# A `---` marker after a line break, followed by a blank, a line break or the end. Searched with
# its line break, a literal prefix the regular expression engine finds fast (`^` with re.M is
# tried at every character: five times slower on a large stream).
_MARKER_AFTER_A_BREAK = re.compile(r"\n---(?=[ \t\n]|\Z)")


def _document_starts(text: str, offset: int = 0) -> list[int]:
    """Where each `---` document marker at column 0 starts, from `offset` (the start of a line) on."""
    starts = [match.start() + 1 for match in _MARKER_AFTER_A_BREAK.finditer(text, max(offset - 1, 0))]
    if offset == 0 and text.startswith("---") and text[3:4] in ("", " ", "\t", "\n"):
        starts.insert(0, 0)
    return starts


def _segments_after(text: str, line: int) -> Iterator[tuple[str, int]]:
    """The documents from the first `---` marker at or after `line` on, each with the lines before it.

    One pass over the text, each document sliced once: a stream of many
    broken documents costs what its size does.
    """
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return
    starts = _document_starts(text, offset)
    line_offset = text.count("\n", 0, starts[0]) if starts else 0
    for start, end in zip(starts, starts[1:] + [len(text)]):
        yield text[start:end], line_offset
        line_offset += text.count("\n", start, end)


# libyaml's parser slows down with the square of the flow nesting (20,000
# levels take seconds) and the pure-Python parser is slower still. Text that
# could nest deeper than this is checked event by event first, and refused
# at the first level past the limit without reading the rest.
_CHECKED_DEPTH_BOUND = 2000


def _nesting_beyond(path: str, text: str, max_depth: int) -> LoadProblem | None:
    """A located problem when `text` nests deeper than `max_depth`; None otherwise.

    Block nesting needs at least one character of indentation or indicator
    per level on one line, and flow nesting one bracket per level, so the
    longest line plus the number of brackets bounds the depth. A `---`
    marker at column 0 ends whatever came before it in libyaml (the
    document, or the parse with an error), so brackets count per document.
    Only text whose bound passes `_CHECKED_DEPTH_BOUND` is parsed event by
    event.
    """
    longest = max(map(len, text.split("\n")), default=0) + 1
    if text.count("[") + text.count("{") + longest <= _CHECKED_DEPTH_BOUND:
        return None
    allowed = _CHECKED_DEPTH_BOUND - longest  # brackets a document may hold; a shorter one holds no more
    starts = [0, *_document_starts(text), len(text)]
    if all(
        end - start <= allowed or text.count("[", start, end) + text.count("{", start, end) <= allowed
        for start, end in zip(starts, starts[1:])
    ):
        return None
    try:
        from _ruamel_yaml import CParser
    except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
        return _bracket_depth_beyond(path, text, max_depth)
    parser = CParser(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            kind = type(event).__name__
            if kind in ("SequenceStartEvent", "MappingStartEvent"):
                depth += 1
                if depth > max_depth:
                    mark = event.start_mark
                    return LoadProblem(
                        f"nesting deeper than {max_depth} levels; document not linted",
                        Span.point(path, mark.line + 1, mark.column + 1),
                    )
            elif kind in ("SequenceEndEvent", "MappingEndEvent"):
                depth -= 1
    except Exception:
        # libyaml stopped at a syntax error, which may be a YAML 1.1 artefact
        # that the pure-Python parser (slow in depth) reads again:
        # bound the flow nesting of the rest by counting brackets.
        return _bracket_depth_beyond(path, text, max_depth)
    finally:
        parser.dispose()
    return None


_BRACKETS = re.compile(r"[\[\]{}]")


def _bracket_depth_beyond(path: str, text: str, max_depth: int) -> LoadProblem | None:
    """A located problem where unclosed brackets pass `max_depth` (quotes ignored: an over-count refuses early)."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                offset = match.start()
                line = text.count("\n", 0, offset) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
                return LoadProblem(f"nesting deeper than {max_depth} levels; document not linted", Span.point(path, line, column))
        else:
            depth = max(depth - 1, 0)
    return None


def _too_large(path: str, size: int, limits: LoadLimits, truncated: bool = False) -> LoadProblem:
    """The problem of a file above the size limit; a truncated read knows only that it is larger."""
    limit = _size(limits.max_bytes, exact=True)
    written = f"more than {_size(min(size - 1, limits.max_bytes), exact=True)}" if truncated else _size(size)
    return LoadProblem(f"file is {written}, above the {limit} limit; not parsed", Span.point(path, 1))


def _size(count: int, exact: bool = False) -> str:
    if count < 1048576:
        return f"{count:,} bytes"
    return f"{count / 1048576:g} MiB" if exact else f"{count / 1048576:.1f} MiB"


class _gc_paused:  # noqa: N801 - used as a function: `with _gc_paused():`
    """Pause the cyclic garbage collector while building node graphs.

    Composing allocates hundreds of thousands of small objects and no
    cycles worth collecting; with the collector on, its full passes make
    loading a large file several times slower. A class, not a
    `contextlib.contextmanager`: it is entered a few times for every file
    loaded, and a generator-based one costs five times as much.
    """

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self._was_enabled:
            gc.enable()


def _looks_like_json(path: str, text: str) -> bool:
    return path.lower().endswith(".json") or text.lstrip()[:1] in ("{", "[")


# --- YAML: located nodes from parser events -------------------------------------


def _read(
    path: str,
    text: str,
    limits: LoadLimits,
    problems: list[LoadProblem],
    pure: bool = False,
    line_offset: int = 0,
    placeholder: str | None = None,
) -> tuple[list[Node | None], LoadProblem | None]:
    """Read all documents; returns what was read and the first syntax error (spans shifted by `line_offset`).

    libyaml's parser (ruamel.yaml.clib) gives the events, or ruamel.yaml's
    pure-Python parser when `pure`. `placeholder`: `text` was masked by
    `linter.flow_colons.masked`; its colons are put back into the scalars.
    """
    roots: list[Node | None] = []
    get_event, close = _pure_events(text) if pure else _c_events(text)
    try:
        roots.extend(_documents(path, get_event, limits, problems, line_offset, placeholder, pure))
    except Exception as error:  # ruamel raises MarkedYAMLError and, rarely, others
        return roots, _syntax_problem(path, error, line_offset)
    finally:
        close()
    return roots, None


# A YAML parser's events: a function that returns the next one, and one that frees the parser.
_Events = tuple[Callable[[], Any], Callable[[], None]]


def _c_events(text: str) -> _Events:
    """libyaml's events (ruamel.yaml.clib), or the pure-Python parser's where it is not installed."""
    try:
        from _ruamel_yaml import CParser
    except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
        return _pure_events(text)
    parser = CParser(text)
    return parser.get_event, parser.dispose


def _pure_events(text: str) -> _Events:
    """ruamel.yaml's pure-Python parser's events (YAML 1.2; ~10x slower than libyaml)."""
    from ruamel.yaml import YAML

    events = YAML(typ="base", pure=True).parse(text)
    return events.__next__, events.close


# libyaml follows YAML 1.1 here: a plain scalar in a flow collection may not
# contain ':' (`[!Ref AWS::Region, x]`), which YAML 1.2 allows and
# CloudFormation templates use all the time. Such files are read by libyaml
# again with those colons masked (linter.flow_colons), and by the
# pure-Python parser where that fails too.
_YAML_1_1_ONLY_ERRORS = ("found unexpected ':'",)


def _syntax_problem(path: str, error: Exception, line_offset: int = 0) -> LoadProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    context_mark = getattr(error, "context_mark", None)
    message = f"YAML syntax error: {problem}"
    if context and context_mark is not None and context_mark is not mark:
        message += f" ({context} started at line {context_mark.line + 1 + line_offset}, column {context_mark.column + 1})"
    elif context:
        message += f" ({context})"
    if mark is None:
        return LoadProblem(message, Span.point(path, line_offset + 1))
    return LoadProblem(message, Span.point(path, mark.line + 1 + line_offset, mark.column + 1))


_CORE_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_MAX_INT_DIGITS = 4000
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


def resolve_plain_scalar(text: str) -> object:
    """Type of a plain (unquoted, untagged) scalar by the YAML 1.2 core schema."""
    if not text or text[0] in "~nNtTfF":
        if _NULL.match(text):
            return None
        if _TRUE.match(text):
            return True
        if _FALSE.match(text):
            return False
        return text
    first = text[0]
    if first.isdigit() or first in "+-.":
        if _INT.match(text):
            # Python refuses to convert more than a few thousand decimal
            # digits (hexadecimal and octal it converts at any length); a
            # number that long is no count or size of anything: keep its text.
            return int(text) if len(text) <= _MAX_INT_DIGITS else text
        if _OCT.match(text):
            return int(text[2:], 8)
        if _HEX.match(text):
            return int(text[2:], 16)
        if _FLOAT.match(text):
            return float(text)
        if _INF.match(text):
            return float("-inf") if text[0] == "-" else float("inf")
        if _NAN.match(text):
            return float("nan")
    return text


def _scalar_value(tag: str, text: str, style: str | None) -> object:
    """Python value of a scalar with an explicit tag (untagged ones are resolved by `_document`).

    `!!str` keeps the text; `!!int`, `!!float`, `!!bool` and `!!null` resolve
    it by the YAML 1.2 core schema; a local tag (`!Ref x`) keeps its
    argument as text for an adapter to read.
    """
    if tag in (_CORE_TAG + "int", _CORE_TAG + "float", _CORE_TAG + "bool", _CORE_TAG + "null"):
        resolved = resolve_plain_scalar(text)
        if tag.endswith("float") and isinstance(resolved, int) and not isinstance(resolved, bool):
            return float(resolved)
        return resolved
    return text


_SHORT_TAGS: dict[str, str] = {}
# Scalars up to this length are interned: one string object for each key
# (`Properties`, `metadata`) and each repeated value, however many files hold it.
_SHARED_STRING_LENGTH = 64


def _short_tag(tag: str) -> str:
    """`str` for `tag:yaml.org,2002:str`, local tags as written; one string object per tag, shared by every node."""
    short = _SHORT_TAGS.get(tag)
    if short is None:
        short = tag[len(_CORE_TAG):] if tag.startswith(_CORE_TAG) else tag
        if len(_SHORT_TAGS) < 4096 and len(tag) <= 256:  # tags are few and short; a hostile file's are not kept
            _SHORT_TAGS[tag] = short
    return short


class _Unloadable(Exception):
    """A document breaks a limit; `message` says which, for the node at `start`..`end` (marks)."""

    def __init__(self, message: str, start: Any, end: Any = None) -> None:
        self.message, self.start, self.end = message, start, end


def _documents(
    path: str,
    get: Callable[[], Any],
    limits: LoadLimits,
    problems: list[LoadProblem],
    line_offset: int = 0,
    placeholder: str | None = None,
    pure: bool = False,
) -> Iterator[Node | None]:
    """The root of each document of a stream of YAML parser events (`get()` gives the next), as located nodes.

    A document that breaks a limit (nesting deeper than `limits.max_depth`,
    a recursive alias, more than `limits.max_expanded_nodes` nodes with
    aliases expanded) is None, its problem recorded once its last event is
    read; a syntax error, an undefined alias or (libyaml's rule) a repeated
    anchor raises, as ruamel.yaml's composers do, and nothing of that
    document is recorded. Aliases share the node of their anchor. No
    recursion: depth costs a list entry, not a stack frame.
    """
    from ruamel.yaml.events import StreamEndEvent

    numbers: dict[int, int] = {}  # one int object per line number past 256 (Python caches the small ones only)
    get()  # the stream's start
    while type(get()) is not StreamEndEvent:  # a document's start
        own: list[LoadProblem] = []
        try:
            root = _document(path, get, limits, own, 1 + line_offset, numbers, placeholder, pure)
        except _Unloadable as unloadable:
            start, end = unloadable.start, unloadable.end or unloadable.start
            own.append(LoadProblem(unloadable.message, Span(
                path, start.line + 1 + line_offset, start.column + 1, end.line + 1 + line_offset, end.column + 1
            )))
            root = None
        problems.extend(own)
        yield root


def _document(
    path: str,
    get: Callable[[], Any],
    limits: LoadLimits,
    problems: list[LoadProblem],
    first_line: int,
    numbers: dict[int, int],
    placeholder: str | None,
    pure: bool,
) -> Node:
    """One document's root, from the event after its start to its end (see `_documents`).

    This is the loader's hot loop (a node per few bytes of text): the
    common case (an untagged scalar, a default-tagged collection) is
    handled inline, and positions go into the nodes as numbers (see
    `linter.nodes.Node.span`).
    """
    from ruamel.yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent

    max_depth = limits.max_depth
    max_expanded = limits.max_expanded_nodes
    intern = sys.intern
    plain_special = _PLAIN_SPECIAL
    shared_length = _SHARED_STRING_LENGTH
    # Anchor -> [node (None while its collection is open), expanded size, start mark, depth].
    anchors: dict[str, list] = {}
    # The open collections: the enclosing one's items and expanded size so far, and the start event.
    open_collections: list[tuple[list[Node], int, Any]] = []
    items: list[Node] = []
    size = 0
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            start, end = event.start_mark, event.end_mark
            line = start.line + first_line
            if line > 256:
                line = numbers.setdefault(line, line)
            end_line = line if end.line == start.line else _line_number(end.line + first_line, numbers)
            value = event.value
            if placeholder is not None and placeholder in value:
                value = value.replace(placeholder, ":")
            style = event.style or ""
            ctag = event.ctag
            if ctag is None or ctag == "!":
                tag = "str"
                if style:
                    scalar = value
                else:
                    first = value[:1]
                    scalar = value if first and first not in plain_special and not first.isdigit() else resolve_plain_scalar(value)
            else:
                tag = _short_tag(str(ctag))
                scalar = _scalar_value(str(ctag), value, style)
            if type(scalar) is str and len(scalar) <= shared_length:  # keys and names repeat in every file
                scalar = intern(scalar)
            node: Node = located_scalar(scalar, tag, style, path, line, start.column + 1, end_line, end.column + 1)
            if event.anchor is not None:
                _anchor(anchors, event, node, 1, len(open_collections), pure)
            node_size = 1
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            depth = len(open_collections) + 1
            if depth > max_depth:
                message = f"nesting deeper than {max_depth} levels; document not linted"
                _skip(get, anchors, depth, depth, pure, message, event.start_mark)
            if event.anchor is not None:
                _anchor(anchors, event, None, 0, depth, pure)
            open_collections.append((items, size, event))
            items, size = [], 1
            continue
        elif kind is AliasEvent:
            name = event.anchor
            anchored = anchors.get(name)
            if anchored is None:
                _undefined_alias(event, pure)
            node, node_size = anchored[0], anchored[1]
            if node is None:  # the alias is inside the collection it names
                message = "recursive alias (a node contains itself); document not linted"
                _skip(get, anchors, len(open_collections), anchored[3], pure, message, anchored[2])
        else:  # the end of the innermost open collection
            if not open_collections:
                return _broken_end(event)
            mine, node_size = items, size
            items, size, opened = open_collections.pop()
            start, end = opened.start_mark, event.end_mark
            line = _line_number(start.line + first_line, numbers)
            end_line = _line_number(end.line + first_line, numbers)
            ctag = opened.ctag
            if kind is MappingEndEvent:
                tag = "map" if ctag is None or ctag == "!" else _short_tag(str(ctag))
                keys = _distinct_text_keys(mine)
                flat = tuple(mine) if keys is not None else _mapping_pairs(mine, problems)
                node = located_flat_mapping(flat, tag, path, line, start.column + 1, end_line, end.column + 1, keys)
            else:
                tag = "seq" if ctag is None or ctag == "!" else _short_tag(str(ctag))
                node = located_sequence(tuple(mine), tag, path, line, start.column + 1, end_line, end.column + 1)
            if node_size > max_expanded:  # after the node is made: its own duplicate keys are reported first
                message = f"document expands to more than {max_expanded:,} nodes through aliases (an alias bomb?); not linted"
                _skip(get, anchors, len(open_collections), 0, pure, message, start, end)
            if opened.anchor is not None:
                anchors[opened.anchor][:2] = node, node_size
        if not open_collections:
            get()  # the document's end
            return node
        items.append(node)
        size += node_size


def _line_number(line: int, numbers: dict[int, int]) -> int:
    return numbers.setdefault(line, line) if line > 256 else line


def _broken_end(event: Any) -> Node:
    raise ValueError(f"unexpected {type(event).__name__} in a YAML document")  # pragma: no cover - parsers never send one


def _anchor(anchors: dict[str, list], event: Any, node: Node | None, size: int, depth: int, pure: bool) -> None:
    """Record an anchor; libyaml's composer refuses one written twice in a document, ruamel.yaml's keeps the last."""
    name = event.anchor
    if name in anchors and not pure:
        from ruamel.yaml.composer import ComposerError

        raise ComposerError("found duplicate anchor; first occurrence", anchors[name][2], "second occurrence", event.start_mark)
    anchors[name] = [node, size, event.start_mark, depth]


def _undefined_alias(event: Any, pure: bool) -> None:
    from ruamel.yaml.composer import ComposerError

    name = event.anchor
    raise ComposerError(None, None, f"found undefined alias {name!r}" if pure else "found undefined alias", event.start_mark)


def _skip(
    get: Callable[[], Any], anchors: dict[str, list], open_now: int, watched: int, pure: bool, message: str, start: Any, end: Any = None
) -> NoReturn:
    """Read the rest of a document that breaks a limit, then raise `_Unloadable(message, start, end)`.

    The composers read a whole document before any limit was checked: a
    syntax error, an undefined alias or a repeated anchor later in the
    document still raises instead. `open_now` collections are open; when
    `end` is not known yet, it is the end of the collection open at depth
    `watched`.
    """
    from ruamel.yaml.events import AliasEvent, DocumentEndEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent

    depth = open_now
    while True:
        event = get()
        kind = type(event)
        if kind is DocumentEndEvent:
            raise _Unloadable(message, start, end)
        if kind is AliasEvent:
            if event.anchor not in anchors:
                _undefined_alias(event, pure)
            continue
        if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None:
                _anchor(anchors, event, None, 0, 0, pure)
            depth += kind is not ScalarEvent
        else:  # a collection's end
            if depth == watched and end is None:
                end = event.end_mark
            depth -= 1


_chain = chain.from_iterable

# A plain scalar whose first character is none of these (nor a digit) is text by the core schema.
_PLAIN_SPECIAL = "~nNtTfF+-."


def _distinct_text_keys(flat: list[Node]) -> list[str] | None:
    """The keys' text when a mapping read as `key, value, ...` has only distinct, untagged text keys and no merge key (
    then it is stored as read); None otherwise (`_mapping_pairs` sorts it out)."""
    keys = []
    for key in flat[::2]:
        if type(key) is not ScalarNode or key.tag != "str" or type(key.value) is not str:
            return None
        keys.append(key.value)
    if "<<" in keys or len(set(keys)) != len(keys):
        return None
    return keys


def _mapping_pairs(flat: list[Node], problems: list[LoadProblem]) -> tuple:
    """A mapping's keys and values as read (`key, value, key, value, ...`), laid flat for `MappingNode.flat`:
    duplicates reported, merges applied."""
    explicit: dict[object, tuple[ScalarNode, Node]] = {}
    merged: dict[object, tuple[ScalarNode, Node]] | None = None
    pairs = iter(flat)
    for key, value in zip(pairs, pairs):
        if type(key) is not ScalarNode:
            # Valid YAML (`token: {{PLACEHOLDER}}` is a mapping used as a key)
            # that no deployment format uses: the entry is skipped.
            continue
        written = key.value
        if written == "<<" and not key.style or key.tag == "merge":
            if merged is None:
                merged = {}
            _collect_merge(merged, key, value, problems)
            continue
        # Keys of different types never clash (`true` and `1` are equal in
        # Python); NaN never equals itself, so its spelling stands for it.
        # Text stands for itself: no tuple is ever equal to it.
        hashable = written if type(written) is str else (type(written), written if written == written else repr(written))
        previous = explicit.pop(hashable, None)
        if previous is not None:
            problems.append(_duplicate_key(key, value, previous))
        explicit[hashable] = (key, value)
    if merged is None:
        return tuple(_chain(explicit.values()))
    inherited = [pair for hashable, pair in merged.items() if _hashable(hashable) not in explicit]
    return tuple(_chain(inherited + list(explicit.values())))


def _hashable(merged_key: tuple) -> object:
    """The `explicit` table's key for a merged key `(type, value)`."""
    kind, written = merged_key
    return written if kind is str else merged_key


def _duplicate_key(key: ScalarNode, value: Node, previous: tuple[ScalarNode, Node]) -> LoadProblem:
    """A repeated key: an error when the values differ, a warning when the same value is written twice."""
    first_line = previous[0].span.line
    if _same_value(value, previous[1]):
        return LoadProblem(
            f"duplicate key {key.value!r} repeats the same value (first at line {first_line}); remove one",
            key.span,
            Severity.WARNING,
        )
    return LoadProblem(f"duplicate key {key.value!r} (first at line {first_line}); the last value is used", key.span)


def _same_value(first: Node, second: Node) -> bool:
    if isinstance(first, ScalarNode) and isinstance(second, ScalarNode):
        return first.tag == second.tag and type(first.value) is type(second.value) and first.value == second.value
    if type(first) is not type(second):
        return False
    try:
        return to_python(first) == to_python(second)
    except Exception:  # unhashable or oddly shaped: not provably the same
        return False


def _collect_merge(
    merged: dict[object, tuple[ScalarNode, Node]], merge_key: ScalarNode, value: Node, problems: list[LoadProblem]
) -> None:
    """Gather the pairs of a YAML merge key (`<<: *defaults`); earlier sources win."""
    sources = value.items if isinstance(value, SequenceNode) else (value,)
    for source in sources:
        if not isinstance(source, MappingNode):
            problems.append(LoadProblem("merge key (<<) value is not a mapping; ignored", merge_key.span))
            continue
        for key, merged_value in source.pairs:
            merged.setdefault((type(key.value), key.value), (key, merged_value))


# --- JSON fallback ---------------------------------------------------------------

def _load_json(
    path: str, text: str, limits: LoadLimits, problems: list[LoadProblem], yaml_error: LoadProblem
) -> tuple[list[Node | None], LoadProblem | None]:
    """Second chance for JSON that libyaml cannot scan.

    libyaml rejects surrogate-pair escapes (`"\\ud83d\\ude00"`), a key and
    its colon on different lines, and a few other JSON spellings. Valid JSON
    is then read by a small position-keeping JSON parser (exact lines and
    columns); invalid JSON is reported with the JSON decoder's location.
    """
    try:
        json.loads(text)
    except RecursionError:
        return [], LoadProblem(f"nesting deeper than {limits.max_depth} levels; document not linted", Span.point(path, 1))
    except ValueError as error:
        if not path.lower().endswith(".json"):
            return [], yaml_error  # YAML that merely starts with '{': keep the YAML diagnosis
        lineno = getattr(error, "lineno", 1)
        colno = getattr(error, "colno", 1)
        message = getattr(error, "msg", str(error))
        return [], LoadProblem(f"JSON syntax error: {message}", Span.point(path, lineno, colno))
    from linter.json_positions import parse_json_nodes

    duplicates: list[tuple[str, Span]] = []
    try:
        root = parse_json_nodes(path, text, limits.max_depth, duplicates)
    except ValueError as error:
        return [], LoadProblem(str(error.args[0]), error.args[1] if len(error.args) > 1 else Span.point(path, 1))
    problems.extend(LoadProblem(message, span) for message, span in duplicates)
    return [root], None
