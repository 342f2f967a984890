"""The long fuzz run: worker processes mutate real files and check every property until time is up.

Each worker draws its cases from a named random stream (`SEED/SLOT/GENERATION`)
so that every case can be regenerated from its stream and iteration alone:
a worker tells the parent which iteration it starts before running it, and
when a worker dies (a segfault) or stops answering (a hang past the hard
limit) the parent regenerates that case, records it, and starts a new worker
on a new stream. Distinct failures (by `Failure.signature`) are written to
the output directory with their input, how it was made and the traceback.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import re
import sys
import time
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from .mutations import Case, MutationLimits, mutate

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus"
SUFFIXES = (".yaml", ".yml", ".json")
DEFAULT_OUT = REPO / "bench" / "results" / "fuzz"


def seed_files(roots: list[Path]) -> list[Path]:
    """The YAML and JSON files under `roots`, sorted (the order streams draw from)."""
    found: set[Path] = set()
    for root in roots:
        if root.is_file():
            found.add(root)
        elif root.is_dir():
            found.update(path for path in root.rglob("*") if path.suffix in SUFFIXES and path.is_file())
    return sorted(found)


@dataclass(frozen=True)
class Generated:
    """One execution's inputs: the mutant and, sometimes, an unmutated neighbour linted with it."""

    case: Case
    neighbour: tuple[str, bytes] | None
    replay: str


class CaseSource:
    """Regenerates the case of any (stream, iteration), reading each seed file once."""

    def __init__(self, files: list[Path], limits: MutationLimits) -> None:
        self.files = files
        self.limits = limits
        self._cache: dict[Path, bytes] = {}

    def _read(self, path: Path) -> bytes:
        if path not in self._cache:
            self._cache[path] = path.read_bytes()
        return self._cache[path]

    def generate(self, stream: str, iteration: int) -> Generated:
        rng = random.Random(f"{stream}:{iteration}")
        path = rng.choice(self.files)
        steps = rng.choice((1, 1, 2, 3, 5))
        case = mutate(rng, _display(path), self._read(path), steps=steps, limits=self.limits)
        neighbour = None
        if rng.random() < 0.15:
            siblings = [other for other in self.files if other.parent == path.parent and other != path]
            if siblings:
                other = rng.choice(siblings)
                neighbour = (_display(other), self._read(other))
        return Generated(case, neighbour, f"{stream}:{iteration}")


def _display(path: Path) -> str:
    for base in (CORPUS, FIXTURES):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.name


def _worker(stream: str, files: list[Path], limits: MutationLimits, budget: float, connection: Connection) -> None:
    from .harness import Checker, inputs_for

    checker = Checker(budget)
    source = CaseSource(files, limits)
    iteration = 0
    while True:
        generated = source.generate(stream, iteration)
        connection.send(("start", iteration))
        neighbours = [generated.neighbour] if generated.neighbour else []
        inputs = inputs_for(generated.case.path, generated.case.data)
        inputs += [type(inputs[0])(name, data) for name, data in neighbours]
        failures = checker.check(inputs)
        if failures:
            connection.send(("failed", iteration, [asdict(failure) for failure in failures]))
        iteration += 1


@dataclass
class _Slot:
    number: int
    generation: int
    process: multiprocessing.Process
    connection: Connection
    stream: str
    iteration: int = -1
    started: float = 0.0
    done: int = 0


class Run:
    """The parent: starts workers, watches them, keeps one example of each distinct failure."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.files = seed_files([Path(root) for root in args.seeds])
        if not self.files:
            raise SystemExit("no seed files found")
        self.limits = MutationLimits(max_nesting=args.max_nesting, max_chain=args.max_chain, rings=True)
        self.source = CaseSource(self.files, self.limits)
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.found: dict[str, dict] = {}
        self.executions = 0
        self.context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")

    def _start(self, number: int, generation: int) -> _Slot:
        stream = f"{self.args.seed}/{number}/{generation}"
        parent_end, child_end = self.context.Pipe(duplex=False)
        process = self.context.Process(
            target=_worker, args=(stream, self.files, self.limits, self.args.budget, child_end), daemon=True
        )
        process.start()
        child_end.close()
        return _Slot(number, generation, process, parent_end, stream)

    def run(self) -> int:
        deadline = time.monotonic() + self.args.minutes * 60
        hard_limit = self.args.budget * 5 + 20
        slots = [self._start(number, 0) for number in range(self.args.workers)]
        last_status = time.monotonic()
        try:
            while time.monotonic() < deadline:
                ready = wait([slot.connection for slot in slots], timeout=1.0)
                for slot in slots:
                    if slot.connection in ready:
                        self._drain(slot)
                for index, slot in enumerate(slots):
                    self._drain(slot)  # what a dead worker sent before it died, up to the end of its pipe
                    dead = not slot.process.is_alive()
                    hung = slot.iteration >= 0 and time.monotonic() - slot.started > hard_limit
                    if dead or hung:
                        self._lost(slot, "killed-hang" if hung and not dead else f"died (exit code {slot.process.exitcode})")
                        slots[index] = self._start(slot.number, slot.generation + 1)
                if time.monotonic() - last_status > 60:
                    last_status = time.monotonic()
                    self._status(slots)
        except KeyboardInterrupt:
            pass
        finally:
            for slot in slots:
                self._drain(slot)
                slot.process.kill()
                slot.process.join()
        self._status(slots, final=True)
        return 1 if self.found else 0

    def _drain(self, slot: _Slot) -> None:
        try:
            while slot.connection.poll():
                message = slot.connection.recv()
                if message[0] == "start":
                    if slot.iteration >= 0:
                        slot.done += 1
                        self.executions += 1
                    slot.iteration, slot.started = message[1], time.monotonic()
                elif message[0] == "failed":
                    for failure in message[2]:
                        self._record(failure, self.source.generate(slot.stream, message[1]))
        except (EOFError, OSError):
            return

    def _lost(self, slot: _Slot, how: str) -> None:
        slot.process.kill()
        slot.process.join()
        if slot.iteration < 0:
            return
        generated = self.source.generate(slot.stream, slot.iteration)
        kind = "hang" if how == "killed-hang" else "process-died"
        failure = {"kind": kind, "where": "process", "summary": f"{kind}: worker {how}", "detail": "", "function": ""}
        self._record(failure, generated)

    def _record(self, failure: dict, generated: Generated) -> None:
        exception = failure["summary"].split(":", 1)[0]
        signature = f"{failure['kind']} {failure['where']}:{failure['function']} {exception}"
        entry = self.found.get(signature)
        if entry is not None:
            entry["count"] += 1
            # Keep the smallest example: the easiest to read and to turn into a test.
            if len(generated.case.data) >= entry["size"]:
                self._write_summary()
                return
        else:
            entry = self.found[signature] = {"count": 1}
            print(f"[fuzz] new failure: {signature} | {failure['summary'][:160]}", flush=True)
        directory = self.out / _slug(signature)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("input.*"):
            stale.unlink()
        suffix = Path(generated.case.path).suffix if Path(generated.case.path).suffix in SUFFIXES else ".yaml"
        (directory / f"input{suffix}").write_bytes(generated.case.data)
        if generated.neighbour:
            (directory / "neighbour.txt").write_bytes(generated.neighbour[1])
        report = {
            "signature": signature,
            **failure,
            "path": generated.case.path,
            "steps": list(generated.case.steps),
            "neighbour": generated.neighbour[0] if generated.neighbour else None,
            "replay": generated.replay,
        }
        (directory / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
        entry.update(
            signature=signature, summary=failure["summary"], where=failure["where"], size=len(generated.case.data),
            directory=directory.name, replay=generated.replay,
        )
        self._write_summary()

    def _write_summary(self) -> None:
        summary = {"executions": self.executions, "failures": sorted(self.found.values(), key=lambda item: item["signature"])}
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")

    def _status(self, slots: list[_Slot], final: bool = False) -> None:
        self._write_summary()
        print(
            f"[fuzz] {'done: ' if final else ''}{self.executions:,} executions, {len(self.found)} distinct failures, "
            f"{len(self.files)} seed files, workers at {[slot.stream for slot in slots]}",
            flush=True,
        )


def _slug(signature: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9]+", "-", signature).strip("-")[:60]
    return f"{readable}-{hashlib.sha1(signature.encode()).hexdigest()[:8]}"


def replay(args: argparse.Namespace) -> int:
    """Regenerate one case (`STREAM:ITERATION`), write it out and check it in this process."""
    from .harness import Checker, inputs_for

    files = seed_files([Path(root) for root in args.seeds])
    stream, _, iteration = args.replay.rpartition(":")
    limits = MutationLimits(max_nesting=args.max_nesting, max_chain=args.max_chain, rings=True)
    generated = CaseSource(files, limits).generate(stream, int(iteration))
    print(f"path: {generated.case.path!r}\nsteps: {list(generated.case.steps)}\nneighbour: {generated.neighbour and generated.neighbour[0]}")
    if args.write:
        Path(args.write).write_bytes(generated.case.data)
        print(f"wrote {args.write}")
    inputs = inputs_for(generated.case.path, generated.case.data)
    if generated.neighbour:
        inputs += [type(inputs[0])(*generated.neighbour)]
    failures = Checker(args.budget).check(inputs)
    for failure in failures:
        print(f"{failure.signature}\n{failure.summary}\n{failure.detail}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to run (default 30)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: one per CPU)")
    parser.add_argument("--seed", default="0", help="names the random streams; the same seed gives the same cases")
    parser.add_argument(
        "--seeds", nargs="+", default=[str(FIXTURES), *([str(CORPUS)] if CORPUS.is_dir() else [])],
        help="seed files or directories (default: tests/fixtures and ../shared/corpus when present)",
    )
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"where failures go (default {DEFAULT_OUT.relative_to(REPO)})")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds one case may take (default 2)")
    parser.add_argument(
        "--max-nesting", type=int, default=50_000, help="deepest nesting a mutation writes (default 50,000; CI uses 5,000)"
    )
    parser.add_argument(
        "--max-chain", type=int, default=60, help="longest chain of resources referring to each other (default 60; CI uses 8)"
    )
    parser.add_argument("--replay", metavar="STREAM:ITERATION", help="regenerate and check one case instead of fuzzing")
    parser.add_argument("--write", metavar="FILE", help="with --replay: write the case's bytes to FILE")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args)
    print(f"[fuzz] {args.workers} workers for {args.minutes:g} minutes, failures in {args.out}", flush=True)
    return Run(args).run()
