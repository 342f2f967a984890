"""Crowds: each file's objects copied until it is megabytes long, linted, and its time per megabyte measured.

    python -m tests.fuzz.crowds [--bytes N] [--rate S] [--timeout S] [FILE ...]

Work that pairs every object of a run with every other (budgets with pods,
endpoints with configurations, suppressions with findings) is invisible in
a small file and minutes long in a large one. A crowd (`mutations.m_crowd`)
copies a file's objects under new names, each copy still naming what the
original names, to about `--bytes` of text (1.5 MB); a lint that takes more
than `--rate` seconds of CPU per megabyte (3, where linear work takes well
under 1) is reported. The files are the shared
corpus's (`../shared/corpus`) and tests/fixtures', or those given. Exit 1
when any is over the rate; each case found so far has a test of its own in
tests/test_hostile_values.py.
"""

from __future__ import annotations

import argparse
import random
import resource
import signal
import sys
from pathlib import Path

from linter.api import lint_text

from .mutations import MutationLimits, emit, m_crowd, parse_tree

REPO = Path(__file__).resolve().parents[2]
ROOTS = (REPO.parent / "shared" / "corpus", REPO / "tests" / "fixtures")
SUFFIXES = (".yaml", ".yml", ".json")


def _files(given: list[str]) -> list[Path]:
    if given:
        return [Path(name) for name in given]
    return sorted(path for root in ROOTS if root.is_dir() for path in root.rglob("*") if path.suffix in SUFFIXES and path.is_file())


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _TimedOut(Exception):
    pass


def _timed_out(signum, frame):
    raise _TimedOut()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.crowds", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="files to crowd (default: the shared corpus and tests/fixtures)")
    parser.add_argument("--bytes", type=int, default=1_500_000, help="about how large each crowd is (default 1,500,000)")
    parser.add_argument("--rate", type=float, default=3.0, help="CPU seconds per MB above which a crowd is reported (default 3)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds after which a crowd is given up (default 120)")
    args = parser.parse_args(argv)
    limits = MutationLimits(crowd_bytes=args.bytes)
    over = 0
    signal.signal(signal.SIGALRM, _timed_out)
    for path in _files(args.files):
        try:
            documents = parse_tree(str(path), path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError):
            continue
        if not documents:
            continue
        how = m_crowd(random.Random(str(path)), documents, limits)
        text = emit(documents, False)
        megabytes = len(text.encode("utf-8", "surrogatepass")) / 1048576
        if megabytes * 1048576 < args.bytes / 10:  # nothing to copy (an empty template): no rate to measure
            continue
        started = _cpu()
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
        try:
            lint_text(text, path.with_suffix(".yaml").name)
            spent = _cpu() - started
        except _TimedOut:
            spent = float("inf")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        rate = spent / megabytes if megabytes else 0.0
        if rate > args.rate:
            over += 1
            print(f"{rate:8.2f} s/MB  {spent:7.2f} s  {megabytes:5.2f} MB  {how}  {path}", flush=True)
    print(f"{over} crowd(s) above {args.rate:g} s/MB", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
