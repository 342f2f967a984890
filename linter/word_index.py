"""Which words each context file holds, remembered between runs by the file's status (`linter.context_selection`'s memory).

A repository's context is thousands of files; the plugins' prefilters say
which words a file must hold to be worth asking about. Reading every file
to test those words costs most of a pre-commit run in a large repository,
so the answers are kept: per file, its status (size, modification and
change times in nanoseconds, inode, device) and a bit per word of the
index's vocabulary. While a file's status is unchanged, its bits are used
without reading it.

A status can stay the same across an edit only within one tick of the
file system's clock (two seconds on FAT, a few milliseconds on ext4), as
git's "racily clean" entries show: a file changed less than `RACY_NS`
before the run started is not remembered, so an edit made after it was
read always changes what the next run sees. The bits are a function of the
decoded text alone (and of the size limit it was read under, part of the
index's name with the code that decodes): nothing a plugin or the
configuration decides is stored, so no change of theirs can make an entry
stale.

The index is one entry of the disk cache (`DiskCache.load`/`store`), named
by the working directory and the directory the context files share, so a
repository's runs share one. Its vocabulary only grows, up to
`MAX_VOCABULARY` words (then it starts again from the run's words): each
entry says which words were looked for in its file, so a word added later
costs a read only of the files where it decides something (a name is
looked for only in the files that hold a word it is paired with:
`linter.ContextPrefilter`). It is read as hostile data: anything
malformed is an empty index, or an entry to read again.
"""

from __future__ import annotations

import functools
import os
import re
import time
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from linter.disk_cache import DiskCache

__all__ = ["EXACT", "FOLDED", "KINDS", "MAX_VOCABULARY", "NAME", "RACY_NS", "UNDECODABLE", "Vocabulary", "WholeNames", "WordIndex"]

# A file modified or changed this close to the run's start may change again within the same timestamp.
RACY_NS = 2_000_000_000
MAX_VOCABULARY = 256
# The held bits of a file that does not decode to text: no plugin is asked about it.
UNDECODABLE = -1
_FORMAT = 1
# An index names at most a repository's context (`linter.api.MAX_REPOSITORY_CONTEXT_FILES`) and what
# earlier runs kept: each entry is a path and six numbers.
_MAX_ENTRY_BYTES = 64 * 1024 * 1024
# Entries of files this run did not look at are kept for another run's scope (another named file's
# directory), while there are no more of them than of files it did: a repository's deleted files go.
_MIN_KEPT_UNSEEN = 1000


# How a vocabulary word is looked for: as written, in the lower-cased text, or as a whole name (not part of a
# longer run of letters, digits, `_`, `.` and `-`: a Kubernetes object name, a resource's logical ID).
EXACT, FOLDED, NAME = "exact", "folded", "name"
KINDS = (EXACT, FOLDED, NAME)


class Vocabulary:
    """Words, each with its kind (`EXACT`, `FOLDED`, `NAME`); bit i of a file's bits is word i."""

    def __init__(self, words: Sequence[tuple[str, str]]) -> None:
        self.words: tuple[tuple[str, str], ...] = tuple(words)
        self.full = (1 << len(self.words)) - 1
        self._position = {word: index for index, word in enumerate(self.words)}
        self._tests = [(1 << index, word, kind) for index, (word, kind) in enumerate(self.words)]

    def grown(self, words: Sequence[tuple[str, str]]) -> "Vocabulary":
        """This vocabulary with the `words` it lacks added after its own, so that its bits keep their meaning;
        itself when it lacks none. Past `MAX_VOCABULARY` words it starts again: a vocabulary of `words` alone."""
        added = [word for word in dict.fromkeys(words) if word not in self._position]
        if not added:
            return self
        if len(self.words) + len(added) > MAX_VOCABULARY:
            return Vocabulary(list(dict.fromkeys(words)))
        return Vocabulary([*self.words, *added])

    def extends(self, other: "Vocabulary") -> bool:
        """True when `other`'s words are this vocabulary's first ones: bits of `other` mean the same here."""
        return other is self or self.words[: len(other.words)] == other.words

    def mask(self, words: Sequence[str], kind: str) -> int:
        """The bits of `words` of `kind` (each must be in the vocabulary)."""
        bits = 0
        for word in words:
            bits |= 1 << self._position[(word, kind)]
        return bits

    def bits(self, text: str) -> int:
        """The bits of the words `text` holds."""
        bits = 0
        lowered = None
        for bit, word, kind in self._tests:
            if kind == EXACT:
                held = word in text
            elif kind == FOLDED:
                if lowered is None:
                    lowered = text.lower()
                held = word in lowered
            else:
                held = word in text and _whole_name(word).search(text) is not None
            if held:
                bits |= bit
        return bits


@functools.lru_cache(maxsize=1024)
def _whole_name(name: str) -> "WholeNames":
    return WholeNames(frozenset((name,)))


class WholeNames:
    """Finds one of `names` written whole (not part of a longer run of letters, digits, `_`, `.` and `-`), as a
    `ContextPrefilter`'s `names` are found: object names (DNS names, endpoint names) are written between
    characters no name holds.

    `search` answers as `re.search` of `(?<![\\w.-])(?:names)(?![\\w.-])`
    would, but the pattern searched starts with the names themselves and
    the character before is checked here: a pattern that starts with a
    look-behind is tried at every character of the text (~15 us a manifest
    for one name), one that starts with its literal text is found by a fast
    search. After a candidate preceded by a name's character, the search
    goes on from the next character, as the look-behind's would.
    """

    def __init__(self, names: "frozenset[str]") -> None:
        alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
        self._search = re.compile(rf"(?:{alternatives})(?![\w.-])").search

    def search(self, text: str) -> "re.Match[str] | None":
        search, position, end = self._search, 0, len(text)
        while position <= end:  # (a search from past the end would start at the end again: an empty name)
            found = search(text, position)
            if found is None:
                return None
            start = found.start()
            if start == 0 or _NAME_CHARACTER(text, start - 1) is None:
                return found
            position = start + 1
        return None


_NAME_CHARACTER = re.compile(r"[\w.-]").match


class WordIndex:
    """Each file's words, by path, while its status is unchanged; `known`, `learn`, then `save` once.

    A file's entry holds which vocabulary words were looked for in it
    (`known`: the vocabulary may have grown since) and which it holds.
    """

    def __init__(self, cache: "DiskCache", name: str, vocabulary: Vocabulary, entries: dict[str, Any]) -> None:
        self.cache = cache
        self.name = name
        self.vocabulary = vocabulary
        self._entries = entries
        self._started = time.time_ns()
        self._status: dict[str, list[int]] = {}  # this run's status of each file it found
        self._seen: set[str] = set()  # every file it asked about
        self._changed = False

    @classmethod
    def open(cls, cache: "DiskCache", paths: Sequence[str], words: Sequence[tuple[str, str]], max_bytes: int) -> "WordIndex":
        """The index `cache` keeps for the files at `paths`, its vocabulary grown by the `words` it lacks."""
        from linter import __version__
        from linter.disk_cache import MISSING, code_stamp

        root = os.path.dirname(os.path.commonprefix([min(paths), max(paths)])) if paths else ""
        name = "\0".join(
            ["context words", str(_FORMAT), __version__, code_stamp(["linter.source"]), str(max_bytes), os.getcwd(), root]
        )
        stored = cache.load(name, _MAX_ENTRY_BYTES)
        words_stored, entries = _valid(stored) if stored is not MISSING else ((), {})
        kept = Vocabulary(words_stored)
        vocabulary = kept.grown(words)
        if not vocabulary.extends(kept):  # started again from this run's words
            entries = {}
        index = cls(cache, name, vocabulary, entries)
        index._changed = vocabulary is not kept
        return index

    def known(self, path: str) -> tuple[int, int] | None:
        """(the words looked for, the words held) remembered for the file at `path`, or None when it must be read."""
        self._seen.add(path)
        try:
            status = os.stat(path)
        except OSError:
            return None
        now = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]
        self._status[path] = now
        entry = self._entries.get(path)
        # Checked when used, not all when loaded: the entries of files another run looked at may never be.
        if type(entry) is list and len(entry) == 7 and entry[:5] == now:
            known, held = entry[5], entry[6]
            if type(known) is int and type(held) is int and 0 <= known <= self.vocabulary.full:
                if held == UNDECODABLE or 0 <= held and not held & ~known:
                    return known, held
        return None

    def learn(self, path: str, held: int) -> None:
        """Remember that the file at `path` holds `held` of the whole vocabulary, as `known` found its status (unless racy)."""
        status = self._status.get(path)
        if status is None:
            return
        if max(status[1], status[2]) >= self._started - RACY_NS:
            if self._entries.pop(path, None) is not None:
                self._changed = True
            return
        entry = [*status, self.vocabulary.full, held]
        if self._entries.get(path) != entry:  # a file read again because it is wanted is usually unchanged
            self._entries[path] = entry
            self._changed = True

    def save(self) -> None:
        """Write the index when this run changed it; entries of files this run looked for and did not find are dropped."""
        if not self._changed:
            return
        # kept: the files this run found, and those it did not look for (another run's scope)
        entries = {path: entry for path, entry in self._entries.items() if path in self._status or path not in self._seen}
        unseen = [path for path in entries if path not in self._seen]
        if len(unseen) > max(len(self._seen), _MIN_KEPT_UNSEEN):
            for path in unseen:
                del entries[path]
        self.cache.store(self.name, {"vocabulary": [list(word) for word in self.vocabulary.words], "files": entries})


def _valid(stored: Any) -> tuple[tuple[tuple[str, str], ...], dict[str, Any]]:
    """(vocabulary, entries) of a stored index; empty when its shape is not what `save` writes (entries are checked when used)."""
    if type(stored) is not dict or type(stored.get("vocabulary")) is not list or type(stored.get("files")) is not dict:
        return (), {}
    vocabulary = []
    for word in stored["vocabulary"]:
        if type(word) is not list or len(word) != 2 or type(word[0]) is not str or not word[0] or word[1] not in KINDS:
            return (), {}
        vocabulary.append((word[0], word[1]))
    if len(vocabulary) > MAX_VOCABULARY or len(set(vocabulary)) != len(vocabulary):
        return (), {}
    return tuple(vocabulary), stored["files"]
