"""What the AWS readers infer from an instance type once per type, rather than again for every variant.

Every SageMaker variant, ECS task and Batch environment the AWS-side
adapters read goes through `compute_for`: these tests pin that the shipped
tables are read once per instance type, that what a variant is given is
what reading the tables each time gives (accelerator kind, count, a count
not in the table, burstable, spans, notes), and that a run whose `[data]`
section adds instance families is read with them, every time.
"""

from __future__ import annotations

from linter import UNKNOWN, AcceleratorKind, Compute, Provenance, Sourced, Span

from plugins import data
from plugins.adapters.aws.inferred_facts import compute_for

SPAN = Span("a.yaml", 3, 1, 3, 13)
RELATED = ((Span("a.yaml", 1, 1, 1, 5), "the Default of parameter Size"),)
TYPES = ("ml.g5.xlarge", "ml.c5.xlarge", "ML.M5.Large", "ml.inf2.xlarge", "ml.t3.medium", "ml.p4d.24xlarge", "ml.zz9.large", "large", "g5.2xlarge")


def _each_time(instance_type: Sourced, extensions: data.Extensions = data.SHIPPED) -> Compute:
    """`compute_for` as it was written before: the tables read for every call."""
    if not instance_type.known:
        return Compute(instance_type=instance_type)
    info = data.instance_info(str(instance_type.value), extensions)
    if info is None:
        return Compute(instance_type=instance_type)
    note = f"instance family {info.family}"
    span, related = instance_type.span, instance_type.related
    return Compute(
        instance_type=instance_type,
        accelerator=Sourced(AcceleratorKind(info.accelerator), span, Provenance.INFERRED, note, related=related),
        accelerator_count=(
            Sourced(info.accelerator_count, span, Provenance.INFERRED, note, related=related)
            if info.accelerator_count is not None
            else Sourced(UNKNOWN, span, Provenance.INFERRED, f"accelerator count of {instance_type.value} not in the table", related=related)
        ),
        burstable=Sourced(info.burstable, span, Provenance.INFERRED, note, related=related),
    )


def test_the_shipped_tables_are_read_once_per_instance_type(monkeypatch):
    # The shipped tables' answer is kept per instance type where they are read (plugins/data/instances.py).
    read: list[str] = []
    real = data.instances._split_instance_type
    monkeypatch.setattr(data.instances, "_split_instance_type", lambda text: read.append(text) or real(text))
    data.instances._table_info.cache_clear()
    for _ in range(3):
        compute_for(Sourced("ml.g5.4xlarge", SPAN))
        compute_for(Sourced("ml.c5.large", SPAN))
    assert read == ["ml.g5.4xlarge", "ml.c5.large"]


def test_what_is_inferred_is_what_reading_the_tables_each_time_gives():
    for text in TYPES:
        for instance_type in (Sourced(text, SPAN), Sourced(text, SPAN, Provenance.DECLARED, "resolved from Ref", related=RELATED)):
            assert compute_for(instance_type) == _each_time(instance_type)
            assert compute_for(instance_type) == _each_time(instance_type)  # and again, from what was kept
    assert compute_for(Sourced()) == Compute(instance_type=Sourced())
    assert compute_for(Sourced(UNKNOWN, SPAN)) == Compute(instance_type=Sourced(UNKNOWN, SPAN))


def test_a_runs_own_instance_families_are_read_every_time():
    configured = data.Extensions({"instance-families": {"zz9": {"accelerator": "gpu", "accelerator-count": 2}}}, "mldeploy-lint.toml")
    compute_for(Sourced("ml.zz9.large", SPAN))  # the shipped answer kept: no family
    compute = compute_for(Sourced("ml.zz9.large", SPAN), configured)
    assert compute == _each_time(Sourced("ml.zz9.large", SPAN), configured)
    assert compute.accelerator.value is AcceleratorKind.GPU and compute.accelerator_count.value == 2
    assert compute_for(Sourced("ml.zz9.large", SPAN)).accelerator == Sourced()
    other = data.Extensions({"images": []}, "mldeploy-lint.toml")  # no families: the shipped tables' answer
    assert compute_for(Sourced("ml.g5.xlarge", SPAN), other) == _each_time(Sourced("ml.g5.xlarge", SPAN), other)


def test_ml_evidence_names_the_first_declared_profile_field_and_an_empty_profile_none():
    # ml_evidence passes over a profile that declares nothing (linter.NO_PROFILE) without reading its
    # fields, and lists a WorkloadProfile's fields once: the answers are those of reading every field.
    from dataclasses import dataclass

    from linter import NO_PROFILE, WorkloadProfile

    from plugins.adapters.aws.inferred_facts import ml_evidence

    anchor = Span.point("k.yaml", 1)
    empty = ml_evidence([], [], NO_PROFILE, anchor)
    assert not empty.known and empty.span == anchor and "general-purpose" in empty.note
    assert ml_evidence([], [], WorkloadProfile(), anchor) == empty
    declared = WorkloadProfile(
        traffic=Sourced("steady", Span.point("k.yaml", 4)), latency_ms=Sourced(100, Span.point("k.yaml", 3))
    )
    evidence = ml_evidence([], [], declared, anchor)
    assert (evidence.value, evidence.span) == ("workload profile latency-ms", Span.point("k.yaml", 3))

    @dataclass(frozen=True)
    class Extended(WorkloadProfile):  # an adapter's own profile: its own fields are read too
        gpu_hours: Sourced = Sourced()

    extended = Extended(gpu_hours=Sourced(3, Span.point("k.yaml", 5)))
    assert ml_evidence([], [], extended, anchor).value == "workload profile gpu-hours"
