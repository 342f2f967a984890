"""The Kubernetes readers' table: written out, equal to the modules' own KINDS, and importing a reader on first use.

`readers.MODULE_OF` names the module of each (API group, kind) so that an
object's kind is told without importing the readers (tests/test_startup.py
pins what a one-manifest run imports); these tests keep the table in step
with what each module says it reads, and pin that the reader found is the
module's own `read`.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import textwrap

from linter.source import load_text

import plugins.adapters.kubernetes as package
from plugins.adapters.kubernetes import readers
from plugins.adapters.kubernetes.objects import manifests


def _declared() -> dict[tuple[str, str], str]:
    """(group, kind) -> module, for every module of the package that has a `read` and `KINDS`.

    `ack_sagemaker` and `ack_autoscaling` declare the kinds `ack_links` reads (it links them among
    themselves): their KINDS are its own, not readers of their own.
    """
    declared: dict[tuple[str, str], str] = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        if not callable(getattr(module, "read", None)) or not hasattr(module, "KINDS"):
            continue
        for key in module.KINDS:
            assert key not in declared, f"{key} is read by {declared[key]} and {module_info.name}"
            declared[key] = module_info.name
    return declared


def test_the_table_is_the_modules_kinds():
    assert readers.MODULE_OF == _declared()


def test_the_ack_kinds_are_read_by_the_linking_module():
    from plugins.adapters.kubernetes import ack, ack_autoscaling, ack_links, ack_sagemaker

    assert ack_links.KINDS == ack_sagemaker.KINDS | ack_autoscaling.KINDS
    assert {group for group, _ in ack_links.KINDS} == {ack.SAGEMAKER_GROUP, ack.AUTOSCALING_GROUP}
    assert {key for key, module in readers.MODULE_OF.items() if module == "ack_links"} == ack_links.KINDS


def _manifest(text: str):
    (document,) = load_text("objects.yaml", textwrap.dedent(text)).documents
    (manifest,) = manifests(document)
    return manifest


def test_a_reader_is_its_modules_read_function():
    from plugins.adapters.kubernetes import kserve, workloads

    inference = _manifest("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: a}\n")
    deployment = _manifest("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n")
    service = _manifest("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n")
    assert readers.reader_for(inference) is kserve.read
    assert readers.reader_for(deployment) is workloads.read
    assert readers.reader_for(service) is None
    assert readers.reads(inference) and readers.reads(deployment) and not readers.reads(service)


def test_a_kinds_module_is_imported_with_its_first_object():
    # In a fresh interpreter: telling kinds apart imports no reader; reading a KServe object imports
    # kserve (and what it shares with plain workloads), never the ACK modules or the AWS request readers.
    code = textwrap.dedent(
        """
        import sys
        from linter.source import load_text
        from plugins.adapters.kubernetes import readers
        from plugins.adapters.kubernetes.objects import manifests

        text = "apiVersion: serving.kserve.io/v1beta1\\nkind: InferenceService\\nmetadata: {name: a}\\n"
        (manifest,) = manifests(load_text("a.yaml", text).documents[0])
        def loaded():
            return " ".join(sorted(name for name in sys.modules if name.startswith("plugins.adapters.")))
        assert readers.reads(manifest)
        print(loaded())
        readers.reader_for(manifest)
        print(loaded())
        """
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    told, read = (set(line.split()) for line in completed.stdout.splitlines())
    modules = {f"{package.__name__}.{name}" for name in set(readers.MODULE_OF.values())}
    assert not told & modules
    assert read & modules == {f"{package.__name__}.kserve", f"{package.__name__}.workloads", f"{package.__name__}.karpenter"}
    ack = {name for name in read if name.startswith(f"{package.__name__}.ack")}
    assert ack == set()
    assert not {"plugins.adapters.aws.sagemaker_requests", "plugins.adapters.aws.application_autoscaling"} & read
