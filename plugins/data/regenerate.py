"""Regenerate the SageMaker instance-type tables in `tables.yaml` from botocore.

    python -m plugins.data.regenerate           rewrite the generated block (and tables.json)
    python -m plugins.data.regenerate --check   exit 1 if the shipped tables differ
    python -m plugins.data.regenerate --json    only rewrite tables.json from tables.yaml (no botocore)

Reads the installed botocore's SageMaker service model
(`botocore/data/sagemaker/2017-07-24/service-2.json`) through botocore's own
loader, and rewrites only the text between the GENERATED markers of
`tables.yaml`; the hand-written parts (families, sources, comments) stay as
they are. Which enum belongs to which job kind is read from the hand-written
`instance_type_kinds` table. It warns about families the hand-written tables
do not classify and about accelerator instance types without an
accelerator-memory entry. Exit codes: 0 up to date (or rewritten), 1 the
shipped tables differ (`--check`), 2 botocore is not installed or the file
has no markers.

`tables.json` is `tables.yaml` as JSON, what the linter reads at run time
(`plugins.data.loading.raw_tables`): rewrite it after editing `tables.yaml`
by hand (`--json`); every rewrite of `tables.yaml` here rewrites it too.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TABLES_PATH = Path(__file__).with_name("tables.yaml")
COMPILED_PATH = Path(__file__).with_name("tables.json")
BEGIN_MARKER = "# BEGIN GENERATED instance_types"
END_MARKER = "# END GENERATED instance_types"
SERVICE_MODEL = "botocore/data/sagemaker/2017-07-24/service-2.json"

_NAMED_SIZES = ("nano", "micro", "small", "medium", "large", "xlarge")
_FAMILY_KEY = re.compile(r"^([a-z-]*?)(\d+)(.*)$")
_MULTIPLE_SIZE = re.compile(r"^(\d+)xlarge$")


@dataclass(frozen=True)
class BotocoreTables:
    """The instance-type enums of one botocore version, per job kind."""

    version: str
    types: dict[str, frozenset[str]]


@dataclass(frozen=True)
class KindDiff:
    """How the shipped table of one job kind differs from botocore."""

    kind: str
    added: tuple[str, ...]  # in botocore, missing from the shipped table
    removed: tuple[str, ...]  # shipped, no longer in botocore

    def describe(self) -> str:
        parts = []
        if self.added:
            parts.append(f"{len(self.added)} added in botocore: {', '.join(self.added)}")
        if self.removed:
            parts.append(f"{len(self.removed)} removed from botocore: {', '.join(self.removed)}")
        return f"{self.kind}: " + "; ".join(parts)


def botocore_tables(shapes: dict[str, str]) -> BotocoreTables:
    """The enums named in `shapes` (job kind -> shape) from the installed botocore.

    Raises ImportError when botocore is not installed.
    """
    import botocore
    from botocore.loaders import Loader

    model = Loader().load_service_model("sagemaker", "service-2", api_version="2017-07-24")
    types = {kind: frozenset(model["shapes"][shape]["enum"]) for kind, shape in shapes.items()}
    return BotocoreTables(botocore.__version__, types)


def kind_shapes(tables: dict) -> dict[str, str]:
    """Job kind -> botocore shape name, from the hand-written `instance_type_kinds`."""
    return {kind: entry["shape"] for kind, entry in tables["instance_type_kinds"].items()}


def shipped_types(tables: dict) -> dict[str, frozenset[str]]:
    """Job kind -> the instance types the shipped generated block lists."""
    generated = tables.get("instance_types") or {}
    result: dict[str, frozenset[str]] = {}
    for kind, entry in (generated.get("kinds") or {}).items():
        result[kind] = frozenset(
            f"ml.{family}.{size}" for family, sizes in entry["families"].items() for size in str(sizes).split()
        )
    return result


def diff_tables(shipped: dict[str, frozenset[str]], current: dict[str, frozenset[str]]) -> tuple[KindDiff, ...]:
    """The job kinds whose shipped table differs from `current`, with what changed."""
    diffs = []
    for kind in sorted(set(shipped) | set(current)):
        have, want = shipped.get(kind, frozenset()), current.get(kind, frozenset())
        if have != want:
            diffs.append(KindDiff(kind, tuple(sorted(want - have, key=type_sort_key)), tuple(sorted(have - want, key=type_sort_key))))
    return tuple(diffs)


def family_sort_key(family: str) -> tuple:
    """Natural order of family names: c4 < c5 < c5d < c6g < c7i < g4dn ..."""
    match = _FAMILY_KEY.match(family)
    return (match.group(1), int(match.group(2)), match.group(3)) if match else (family, 0, "")


def size_sort_key(size: str) -> tuple:
    """Small to large: nano ... xlarge, 2xlarge ... 48xlarge, then anything else."""
    if size in _NAMED_SIZES:
        return (0, _NAMED_SIZES.index(size), size)
    match = _MULTIPLE_SIZE.match(size)
    if match:
        return (1, int(match.group(1)), size)
    return (2, 0, size)


def type_sort_key(instance_type: str) -> tuple:
    _, family, size = instance_type.split(".", 2)
    return (family_sort_key(family), size_sort_key(size))


def render_block(tables: BotocoreTables, shapes: dict[str, str], checked: str) -> str:
    """The generated block's text, markers included, in a stable layout."""
    lines = [
        BEGIN_MARKER,
        "# Written by `python -m plugins.data.regenerate` from botocore's SageMaker",
        "# service model: do not edit by hand. Per job kind: family -> sizes.",
        "instance_types:",
        f'  source: "botocore {tables.version} {SERVICE_MODEL}"',
        f'  botocore_version: "{tables.version}"',
        f'  checked: "{checked}"',
        "  kinds:",
    ]
    for kind in shapes:
        families: dict[str, list[str]] = {}
        for instance_type in tables.types[kind]:
            _, family, size = instance_type.split(".", 2)
            families.setdefault(family, []).append(size)
        lines.append(f"    {kind}:")
        lines.append(f"      count: {len(tables.types[kind])}")
        lines.append("      families:")
        for family in sorted(families, key=family_sort_key):
            sizes = " ".join(sorted(families[family], key=size_sort_key))
            lines.append(f"        {family}: {sizes}")
    lines.append(END_MARKER)
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """`text` with the generated block replaced; ValueError without markers."""
    start, end = text.find(BEGIN_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError(f"{TABLES_PATH.name} has no '{BEGIN_MARKER}' ... '{END_MARKER}' block")
    return text[:start] + block + text[end + len(END_MARKER):]


def unclassified_families(tables: dict, types: dict[str, frozenset[str]]) -> tuple[str, ...]:
    """Families in `types` that the hand-written `instance_families` does not classify."""
    known = {family for group in tables["instance_families"] for family in str(group["families"]).split()}
    seen = {instance_type.split(".", 2)[1] for kind_types in types.values() for instance_type in kind_types}
    return tuple(sorted(seen - known, key=family_sort_key))


def accelerator_memory_gaps(tables: dict, types: dict[str, frozenset[str]]) -> tuple[str, ...]:
    """Accelerator instance types in `types` with no `accelerator_memory` entry.

    Families the hand-written `accelerator_memory.unknown` lists are not
    gaps (no source gives their memory); CPU families and unclassified
    families (reported by `unclassified_families`) are left out.
    """
    accelerated = {
        family
        for group in tables["instance_families"]
        if group["accelerator"] != "none"
        for family in str(group["families"]).split()
    }
    section = tables.get("accelerator_memory") or {}
    unknown = {family for entry in section.get("unknown", ()) for family in str(entry["families"]).split()}
    covered = {
        f"{family}.{size}"
        for group in section.get("instances", ())
        for family in str(group["families"]).split()
        for size in group["sizes"]
    }
    gaps = set()
    for kind_types in types.values():
        for instance_type in kind_types:
            _, family, size = instance_type.split(".", 2)
            if family in accelerated and family not in unknown and f"{family}.{size}" not in covered:
                gaps.add(instance_type)
    return tuple(sorted(gaps, key=type_sort_key))


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def write_compiled(text: str) -> None:
    """Write `tables.json` for the text of `tables.yaml`."""
    from plugins.data.loading import compiled_tables

    COMPILED_PATH.write_text(compiled_tables(text), encoding="utf-8")
    print(f"wrote {COMPILED_PATH}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plugins.data.regenerate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped tables differ from botocore")
    parser.add_argument("--json", action="store_true", help="only rewrite tables.json from tables.yaml")
    args = parser.parse_args(argv)

    from plugins.data.loading import _parse_tables

    text = TABLES_PATH.read_text(encoding="utf-8")
    if args.json:
        write_compiled(text)
        return 0
    tables = _parse_tables(text)
    shapes = kind_shapes(tables)
    try:
        current = botocore_tables(shapes)
    except ImportError:
        print("botocore is not installed: pip install botocore", file=sys.stderr)
        return 2
    shipped_version = str((tables.get("instance_types") or {}).get("botocore_version", "none"))
    diffs = diff_tables(shipped_types(tables), current.types)
    missing = unclassified_families(tables, current.types)
    for family in missing:
        print(f"warning: family {family} is not classified in instance_families; add it by hand", file=sys.stderr)
    for instance_type in accelerator_memory_gaps(tables, current.types):
        print(
            f"warning: {instance_type} has accelerators but no accelerator_memory entry; add it by hand "
            "(or list its family under accelerator_memory.unknown)",
            file=sys.stderr,
        )

    if args.check:
        if not diffs:
            print(f"instance tables match botocore {current.version} (shipped from {shipped_version})")
            return 0
        print(f"instance tables (botocore {shipped_version}) differ from the installed botocore {current.version}:")
        if _version_tuple(current.version) < _version_tuple(shipped_version):
            print("  note: the installed botocore is older than the one the tables were generated from")
        for diff in diffs:
            print(f"  {diff.describe()}")
        print("run `python -m plugins.data.regenerate` to update plugins/data/tables.yaml")
        return 1

    if not diffs and shipped_version == current.version:
        print(f"instance tables are up to date with botocore {current.version}")
        return 0
    try:
        new_text = replace_block(text, render_block(current, shapes, datetime.date.today().isoformat()))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    TABLES_PATH.write_text(new_text, encoding="utf-8")
    print(f"wrote instance tables from botocore {current.version} to {TABLES_PATH}")
    write_compiled(new_text)
    for diff in diffs:
        print(f"  {diff.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
