"""Safe, fast loading of YAML and JSON text into located nodes.

Text is composed by ruamel.yaml's C-accelerated parser (libyaml) into its
node graph, which keeps every node's marks, and then converted once into
`linter.nodes` with spans. Nothing is ever constructed from a tag: tags are
kept as strings on the nodes. The loader never raises for bad input; every
problem becomes a located `LoadProblem`, and what could be read is returned.

Safety limits (`LoadLimits`) bound file size, nesting depth and the size of
the tree once aliases are expanded (alias bombs), and recursive aliases are
refused, so that no walk over a loaded document can blow up.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import json
import re
import sys
from dataclasses import dataclass, field
from itertools import chain
from typing import Iterator

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


@dataclass(frozen=True, eq=False)
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
    """Compose `text` with libyaml, then the YAML 1.2 and JSON second chances; the first error stops.

    `text` starts `line_offset` lines into the file: every span is shifted by it.
    """
    own: list[LoadProblem] = []
    with _gc_paused():
        roots, error = _compose(path, text, limits, own, line_offset=line_offset)
    if error is not None and any(marker in error.message for marker in _YAML_1_1_ONLY_ERRORS):
        retry_problems: list[LoadProblem] = []
        # libyaml again, with the colons YAML 1.2 reads as text masked (linter.flow_colons);
        # where that fails too, the YAML 1.2 reading is the right one, success or not: its
        # error (if any) is the file's real defect, libyaml's was a 1.1 artefact.
        masked = flow_colons.masked(text)
        if masked is not None:
            with _gc_paused():
                roots, error = _compose(path, masked[0], limits, retry_problems, line_offset=line_offset, placeholder=masked[1])
        if error is not None:
            retry_problems = []
            roots, error = _compose(path, text, limits, retry_problems, pure=True, line_offset=line_offset)
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


_DOCUMENT_START = re.compile(r"^---(?:[ \t]|$)", re.M)


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
    starts = [match.start() for match in _DOCUMENT_START.finditer(text, offset)]
    line_offset = text.count("\n", 0, starts[0]) if starts else 0
    for start, end in zip(starts, starts[1:] + [len(text)]):
        yield text[start:end], line_offset
        line_offset += text.count("\n", start, end)


# libyaml's composer recurses in C once per nesting level and overflows the
# stack somewhere past ten thousand levels, before any Python-level limit
# can act. Text that could nest deeper than this is checked event by event
# (no recursion) first.
_COMPOSER_SAFE_DEPTH = 2000


def _nesting_beyond(path: str, text: str, max_depth: int) -> LoadProblem | None:
    """A located problem when `text` nests deeper than `max_depth`; None otherwise.

    Block nesting needs at least one character of indentation or indicator
    per level on one line, and flow nesting one bracket per level, so the
    longest line plus the number of brackets bounds the depth. A `---`
    marker at column 0 ends whatever came before it in libyaml (the
    document, or the parse with an error), so brackets count per document.
    Only text whose bound passes `_COMPOSER_SAFE_DEPTH` is parsed event by
    event.
    """
    longest = max(map(len, text.split("\n")), default=0) + 1
    if text.count("[") + text.count("{") + longest <= _COMPOSER_SAFE_DEPTH:
        return None
    starts = [0, *(match.start() for match in _DOCUMENT_START.finditer(text)), len(text)]
    flow = max(text.count("[", start, end) + text.count("{", start, end) for start, end in zip(starts, starts[1:]))
    if flow + longest <= _COMPOSER_SAFE_DEPTH:
        return None
    try:
        from _ruamel_yaml import CParser
    except ImportError:  # pragma: no cover - the pure composer raises RecursionError instead
        return None
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
        # that the pure composer (recursive, and slow in depth) reads again:
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


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building node graphs.

    Composing allocates hundreds of thousands of small objects and no
    cycles worth collecting; with the collector on, its full passes make
    loading a large file several times slower.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _looks_like_json(path: str, text: str) -> bool:
    return path.lower().endswith(".json") or text.lstrip()[:1] in ("{", "[")


# --- YAML through the C composer -------------------------------------------------


def _compose(
    path: str,
    text: str,
    limits: LoadLimits,
    problems: list[LoadProblem],
    pure: bool = False,
    line_offset: int = 0,
    placeholder: str | None = None,
) -> tuple[list[Node | None], LoadProblem | None]:
    """Compose all documents; returns what was read and the first syntax error (spans shifted by `line_offset`).

    `placeholder`: `text` was masked by `linter.flow_colons.masked`; its colons are put back before conversion.
    """
    roots: list[Node | None] = []
    try:
        for raw in _pure_documents(text) if pure else _c_documents(text):
            if raw is not None and placeholder is not None:
                flow_colons.unmask(raw, placeholder)
            roots.append(_convert(path, raw, limits, problems, line_offset) if raw is not None else None)
    except RecursionError:
        message = f"nesting deeper than {limits.max_depth} levels; document not linted"
        return roots, LoadProblem(message, Span.point(path, line_offset + 1))
    except Exception as error:  # ruamel raises MarkedYAMLError and, rarely, others
        return roots, _syntax_problem(path, error, line_offset)
    return roots, None


_C_COMPOSER: list[type] = []  # the libyaml composer class, made on first use (none without ruamel.yaml.clib)


def _c_composer() -> type | None:
    if not _C_COMPOSER:
        from ruamel.yaml.resolver import BaseResolver

        try:
            from _ruamel_yaml import CParser
        except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
            return None

        from ruamel.yaml.nodes import MappingNode as RawMapping, ScalarNode as RawScalar, SequenceNode as RawSequence

        # BaseResolver has no implicit or path resolvers: every node gets its kind's default tag.
        # Its `resolve` finds that out anew for each node (a tenth of composing).
        defaults = {
            RawScalar: BaseResolver.DEFAULT_SCALAR_TAG,
            RawSequence: BaseResolver.DEFAULT_SEQUENCE_TAG,
            RawMapping: BaseResolver.DEFAULT_MAPPING_TAG,
        }

        class _Composer(CParser, BaseResolver):  # type: ignore[misc, valid-type]
            def __init__(self, stream: str) -> None:
                CParser.__init__(self, stream)
                BaseResolver.__init__(self, loadumper=self)

            if not BaseResolver.yaml_implicit_resolvers and not BaseResolver.yaml_path_resolvers:

                def resolve(self, kind: type, value: object, implicit: object) -> object:
                    return defaults[kind]

        _C_COMPOSER.append(_Composer)
    return _C_COMPOSER[0]


def _c_documents(text: str) -> Iterator[object]:
    """Composed documents from libyaml (ruamel.yaml.clib), resolving nothing beyond str/seq/map."""
    composer = _c_composer()
    if composer is None:  # pragma: no cover - only without ruamel.yaml.clib
        yield from _pure_documents(text)
        return
    parser = composer(text)
    try:
        while parser.check_node():
            yield parser.get_node()
    finally:
        parser.dispose()
        # The resolver names the parser as its own loader: a reference cycle that
        # would keep the parser (and its copy of the text) alive until a full
        # collection, which a run defers (engine._frozen_as_loaded).
        parser.loadumper = parser._resolver = None


def _pure_documents(text: str) -> Iterator[object]:
    """Composed documents from ruamel.yaml's pure-Python composer (YAML 1.2; ~10x slower)."""
    from ruamel.yaml import YAML

    yield from YAML(typ="base", pure=True).compose_all(text)


# libyaml follows YAML 1.1 here: a plain scalar in a flow collection may not
# contain ':' (`[!Ref AWS::Region, x]`), which YAML 1.2 allows and
# CloudFormation templates use all the time. Such files are composed by
# libyaml again with those colons masked (linter.flow_colons), and by the
# pure-Python composer where that fails too.
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
    """Python value of a composed scalar.

    Every untagged scalar arrives with the default `str` tag: plain ones are
    resolved by the YAML 1.2 core schema, quoted and block ones stay text.
    A local tag (`!Ref x`) keeps its argument as text for an adapter to read.
    """
    if tag == _CORE_TAG + "str":
        return text if style else resolve_plain_scalar(text)
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


class _TooDeep(Exception):
    def __init__(self, span: Span) -> None:
        self.span = span


class _Recursive(Exception):
    def __init__(self, span: Span) -> None:
        self.span = span


class _AliasBomb(Exception):
    def __init__(self, span: Span) -> None:
        self.span = span


def _convert(path: str, raw_root, limits: LoadLimits, problems: list[LoadProblem], line_offset: int = 0) -> Node | None:
    """Convert one composed ruamel node graph; None if it breaks a limit.

    Each raw node is converted once and shared (aliases stay aliases), and
    the size of the tree with aliases expanded is computed on the way. The
    walk recurses, but never deeper than `limits.max_depth` (far below the
    interpreter's limit): deeper input is refused, located, before that.

    This is the loader's hot loop (a node per few bytes of text): the
    common case (an untagged scalar, a default-tagged collection) is
    handled inline, and positions go into the nodes as numbers (see
    `linter.nodes.Node.span`).
    """
    from ruamel.yaml.nodes import MappingNode as RawMapping
    from ruamel.yaml.resolver import BaseResolver

    str_tag, seq_tag, map_tag = BaseResolver.DEFAULT_SCALAR_TAG, BaseResolver.DEFAULT_SEQUENCE_TAG, BaseResolver.DEFAULT_MAPPING_TAG
    done: dict[int, Node] = {}
    expanded: dict[int, int] = {}
    numbers: dict[int, int] = {}  # one int object per line number past 256 (Python caches the small ones only)
    in_progress: set[int] = set()
    max_depth = limits.max_depth
    max_expanded = limits.max_expanded_nodes
    first_line = 1 + line_offset
    intern = sys.intern
    plain_special = _PLAIN_SPECIAL
    shared_length = _SHARED_STRING_LENGTH

    def convert(raw, depth: int) -> Node:
        key = id(raw)
        node = done.get(key)
        if node is not None:
            return node
        start, end = raw.start_mark, raw.end_mark
        line = start.line + first_line
        if line > 256:
            line = numbers.setdefault(line, line)
        if end.line == start.line:
            end_line = line
        else:
            end_line = end.line + first_line
            if end_line > 256:
                end_line = numbers.setdefault(end_line, end_line)
        ctag = raw.ctag
        value = raw.value
        if type(value) is str:  # scalars hold text; collections hold lists
            style = raw.style or ""
            if ctag is str_tag:
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
            node = located_scalar(scalar, tag, style, path, line, start.column + 1, end_line, end.column + 1)
            done[key] = node
            expanded[key] = 1
            return node
        if key in in_progress:
            raise _Recursive(Span(path, line, start.column + 1, end_line, end.column + 1))
        if depth > max_depth:
            raise _TooDeep(Span(path, line, start.column + 1, end_line, end.column + 1))
        in_progress.add(key)
        size = 1
        if type(raw) is RawMapping:  # (key, value) pairs
            for raw_key, raw_value in value:
                convert(raw_key, depth + 1)
                convert(raw_value, depth + 1)
                size += expanded[id(raw_key)] + expanded[id(raw_value)]
            tag = "map" if ctag is map_tag else _short_tag(str(ctag))
            node = located_flat_mapping(_mapping_pairs(value, done, problems), tag, path, line, start.column + 1, end_line, end.column + 1)
        else:
            items = []
            for item in value:
                items.append(convert(item, depth + 1))
                size += expanded[id(item)]
            tag = "seq" if ctag is seq_tag else _short_tag(str(ctag))
            node = located_sequence(tuple(items), tag, path, line, start.column + 1, end_line, end.column + 1)
        in_progress.discard(key)
        if size > max_expanded:
            raise _AliasBomb(Span(path, line, start.column + 1, end_line, end.column + 1))
        done[key] = node
        expanded[key] = size
        return node

    try:
        return convert(raw_root, 1)
    except _TooDeep as too_deep:
        problems.append(
            LoadProblem(f"nesting deeper than {limits.max_depth} levels; document not linted", too_deep.span)
        )
    except _Recursive as recursive:
        problems.append(LoadProblem("recursive alias (a node contains itself); document not linted", recursive.span))
    except _AliasBomb as bomb:
        problems.append(
            LoadProblem(
                f"document expands to more than {limits.max_expanded_nodes:,} nodes through aliases "
                "(an alias bomb?); not linted",
                bomb.span,
            )
        )
    finally:
        # `convert` refers to itself through its closure: a cycle that would keep these
        # tables alive until a full collection, which a run defers (engine._frozen_as_loaded).
        done.clear()
        expanded.clear()
        numbers.clear()
        convert = None  # type: ignore[assignment]  # noqa: F841
    return None


_chain = chain.from_iterable

# A plain scalar whose first character is none of these (nor a digit) is text by the core schema.
_PLAIN_SPECIAL = "~nNtTfF+-."


def _mapping_pairs(raw_pairs: list, done: dict[int, Node], problems: list[LoadProblem]) -> tuple:
    """Key/value pairs of a composed mapping, laid flat (`MappingNode.flat`): duplicates reported, merges applied."""
    explicit: dict[object, tuple[ScalarNode, Node]] = {}
    merged: dict[object, tuple[ScalarNode, Node]] | None = None
    for raw_key, raw_value in raw_pairs:
        key = done[id(raw_key)]
        value = done[id(raw_value)]
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
