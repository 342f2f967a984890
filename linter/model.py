"""The platform-neutral deployment model that adapters build and rules read.

Every fact is a `Sourced` value: the value (or `UNKNOWN`), the span it came
from, and how it was obtained. Adapters hold all platform knowledge and fill
this model; rules ask it questions and never look at how a platform spells
the answer. An unknown fact makes a rule stay silent; it is never guessed.

All types are frozen dataclasses; build a changed copy with
`value.replaced(field=...)`, which is `dataclasses.replace` without running
`__init__` again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from linter.copying import Replaceable, slot_setters
from linter.nodes import Span

__all__ = [
    "UNKNOWN",
    "NOT_WRITTEN",
    "NO_PROFILE",
    "Unknown",
    "Provenance",
    "Sourced",
    "DeploymentKind",
    "Environment",
    "Capacity",
    "WorkloadProfile",
    "ModelSpec",
    "Probe",
    "Probes",
    "Compute",
    "ServerlessConfig",
    "ComponentRequirements",
    "Consolidation",
    "ScalingPolicy",
    "Scaling",
    "Unit",
    "AsyncConfig",
    "BatchConfig",
    "TrainingConfig",
    "Network",
    "Availability",
    "ResourceRef",
    "LinkStatus",
    "ScalingTarget",
    "Deployment",
    "InputProblem",
]

T = TypeVar("T")


class Unknown:
    """The single 'not known' marker; falsy, and distinct from None."""

    _instance: "Unknown | None" = None

    def __new__(cls) -> "Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


class Provenance(str, enum.Enum):
    """How a value was obtained."""

    DECLARED = "declared"  # written in the file (or given on the command line)
    INFERRED = "inferred"  # derived by a documented table or heuristic
    DEFAULT = "default"  # the platform's default when nothing is written


@dataclass(frozen=True, init=False, slots=True)
class Sourced(Replaceable, Generic[T]):
    """A value with the span it came from.

    `raw` keeps the text as written when it could not be read as the type
    the field expects (e.g. `MemorySizeInMB: big`); `value` is then UNKNOWN.
    `options` holds the candidate values when the value depends on a
    condition that cannot be decided (both branches of an `Fn::If`).
    `note` says why the value is believed (shown by `explain`).
    `related` holds the other places that decide the value, each with what
    it is, e.g. ((span of the Default, "ml.t2.medium is the Default of
    parameter InstanceTypeParam"),) for a property written `!Ref
    InstanceTypeParam`: `span` stays the property, and a rule passes these
    on as its finding's related locations. Facts inferred from such a value
    (an instance type's accelerator) keep them. It takes no part in
    equality.
    """

    value: "T | Unknown" = UNKNOWN
    span: Span | None = None
    provenance: Provenance = Provenance.DECLARED
    note: str = ""
    raw: object = None
    options: tuple = ()
    related: tuple[tuple[Span, str], ...] = field(default=(), compare=False)

    # __init__: `_sourced_init`, below the class.

    @property
    def known(self) -> bool:
        """True when the value is known (not UNKNOWN)."""
        return self.value is not UNKNOWN

    @property
    def malformed(self) -> bool:
        """True when something was written but could not be read as the expected type."""
        return self.value is UNKNOWN and self.raw is not None

    def get(self, default: T | None = None) -> "T | None":
        """The value, or `default` when unknown."""
        return default if self.value is UNKNOWN else self.value  # type: ignore[return-value]

    def is_written(self) -> bool:
        """True when the file certainly sets the value, even if it cannot be resolved or read.

        A platform default is not written; nor is a value only some branch of
        an undecided condition sets (`options`): that branch may remove it.
        """
        return self.span is not None and self.provenance is Provenance.DECLARED and not self.options

    def not_written(self) -> bool:
        """True when the file does not set the value at all.

        Adapters leave a field they found no key for as a bare `Sourced()`
        (`NOT_WRITTEN`); a value that is written but unknown (an unresolved
        reference, a condition) carries a span, a note or options, and rules
        stay silent on it.
        """
        return not self.known and self.span is None and not self.note and self.raw is None and not self.options

    def is_absent(self) -> bool:
        """True when the value is certainly not set: nothing is written and no condition may set it."""
        return self.span is None and not self.known and not self.options


_set_value, _set_span, _set_provenance, _set_note, _set_raw, _set_options, _set_related = slot_setters(
    Sourced, "value", "span", "provenance", "note", "raw", "options", "related"
)


def _sourced_init(
    self: Sourced,
    value: "object" = UNKNOWN,
    span: Span | None = None,
    provenance: Provenance = Provenance.DECLARED,
    note: str = "",
    raw: object = None,
    options: tuple = (),
    related: tuple[tuple[Span, str], ...] = (),
) -> None:
    # The model's most made object (175,000 for a 20,000-document stream), so: slots, not a
    # dictionary (92 bytes a value instead of 204), and the __init__ the dataclass would make
    # written out, each field set through its slot's own descriptor (0.5 us) rather than
    # object.__setattr__ (a frozen dataclass's way, 0.9 us).
    _set_value(self, value)
    _set_span(self, span)
    _set_provenance(self, provenance)
    _set_note(self, note)
    _set_raw(self, raw)
    _set_options(self, options)
    _set_related(self, related)


_sourced_init.__qualname__ = "Sourced.__init__"
Sourced.__init__ = _sourced_init  # type: ignore[method-assign]


# A value nothing writes: the default of every model field nothing sets, and what an adapter gives for
# a key a file does not write. One shared `Sourced()` (it is frozen), not one made per field of every
# object built (a `Unit` has ten such fields, a `WorkloadProfile` seven); equal to any other bare `Sourced()`.
NOT_WRITTEN: Sourced = Sourced()


def unknown(note: str = "", span: Span | None = None) -> Sourced:
    """An explicitly unknown value, with the reason."""
    return Sourced(UNKNOWN, span, Provenance.INFERRED, note)


class DeploymentKind(str, enum.Enum):
    """How a workload is served or run."""

    REALTIME = "realtime"
    SERVERLESS = "serverless"
    ASYNC = "async"
    BATCH_TRANSFORM = "batch-transform"
    TRAINING = "training"
    PROCESSING = "processing"
    SERVICE = "service"  # a long-running serving workload (Kubernetes, ECS)
    JOB = "job"  # a run-to-completion workload (Kubernetes Job, AWS Batch)


class Environment(str, enum.Enum):
    """The stage a deployment belongs to."""

    PROD = "prod"
    STAGING = "staging"
    DEV = "dev"


class Capacity(str, enum.Enum):
    """The purchase option of the capacity a unit runs on."""

    ON_DEMAND = "on-demand"
    SPOT = "spot"
    MIXED = "mixed"
    RESERVED = "reserved"


@dataclass(frozen=True)
class WorkloadProfile(Replaceable):
    """What the deployment is expected to carry, as declared by its authors."""

    payload_mb: Sourced[float] = NOT_WRITTEN
    latency_ms: Sourced[float] = NOT_WRITTEN
    traffic: Sourced[str] = NOT_WRITTEN
    requests_per_day: Sourced[float] = NOT_WRITTEN
    urgency: Sourced[str] = NOT_WRITTEN
    environment: Sourced[str] = NOT_WRITTEN
    model_size_gb: Sourced[float] = NOT_WRITTEN  # weights as stored, 10^9 bytes


# The profile of a deployment that declares none (shared, as `NOT_WRITTEN` is).
NO_PROFILE = WorkloadProfile()


@dataclass(frozen=True)
class Probe(Replaceable):
    """A health check the platform runs against a container, with its timing (defaults where not written)."""

    initial_delay_seconds: Sourced[int] = NOT_WRITTEN
    period_seconds: Sourced[int] = NOT_WRITTEN
    failure_threshold: Sourced[int] = NOT_WRITTEN
    timeout_seconds: Sourced[int] = NOT_WRITTEN
    span: Span | None = None


@dataclass(frozen=True)
class Probes(Replaceable):
    """The health checks of a container (Kubernetes probes); a check not written is None.

    `managed_by` is known when a controller, not the file's authors, builds
    the container and may set its checks (KServe, Seldon, KubeRay): what
    the file writes then is not all the container gets. `span` is where a
    missing check would be written (the container).
    """

    readiness: Probe | None = None
    startup: Probe | None = None
    liveness: Probe | None = None
    managed_by: Sourced[str] = NOT_WRITTEN
    span: Span | None = None


@dataclass(frozen=True)
class ModelSpec(Replaceable):
    """One served model / container: what runs.

    `probes` is None where the platform has no such checks or they were
    not read.
    """

    name: Sourced[str] = NOT_WRITTEN
    image: Sourced[str] = NOT_WRITTEN
    framework: Sourced[str] = NOT_WRITTEN
    image_accelerator: Sourced[str] = NOT_WRITTEN  # cpu | gpu | neuron
    multi_model: Sourced[bool] = NOT_WRITTEN
    environment: tuple[tuple[str, Sourced[str]], ...] = ()
    model_id: Sourced[str] = NOT_WRITTEN  # the weights it loads (`meta-llama/Llama-3.1-8B`)
    weights_gb: Sourced[float] = NOT_WRITTEN  # their size, 10^9 bytes (usually inferred)
    probes: Probes | None = None


class AcceleratorKind(str, enum.Enum):
    """The accelerator devices of the machine a unit runs on (`Compute.accelerator`)."""

    NONE = "none"
    GPU = "gpu"
    INFERENTIA = "inferentia"
    TRAINIUM = "trainium"
    GAUDI = "gaudi"
    TPU = "tpu"

    def __str__(self) -> str:
        return self.value


class AttachedAccelerator(str, enum.Enum):
    """What an accelerator attached beside a unit's instances is (`Unit.attached_accelerator_kind`)."""

    ELASTIC_INFERENCE = "elastic-inference"  # Amazon Elastic Inference
    OTHER = "other"  # an accelerator type the adapter does not know


@dataclass(frozen=True)
class Compute(Replaceable):
    """What a unit runs on.

    `accelerator` holds an `AcceleratorKind`; adapters may write its value
    as the kind's name (`"gpu"`), which is read as the kind.
    """

    instance_type: Sourced[str] = NOT_WRITTEN
    accelerator: Sourced[AcceleratorKind] = NOT_WRITTEN
    accelerator_count: Sourced[int] = NOT_WRITTEN
    burstable: Sourced[bool] = NOT_WRITTEN

    def __post_init__(self) -> None:
        value = self.accelerator.value
        if isinstance(value, str) and not isinstance(value, AcceleratorKind):
            object.__setattr__(self, "accelerator", self.accelerator.replaced(value=AcceleratorKind(value)))


# The compute of a unit given none (shared, as `NOT_WRITTEN` is).
_NO_COMPUTE = Compute()


@dataclass(frozen=True)
class ServerlessConfig(Replaceable):
    """Serverless capacity settings of a unit."""

    memory_mb: Sourced[int] = NOT_WRITTEN
    max_concurrency: Sourced[int] = NOT_WRITTEN
    provisioned_concurrency: Sourced[int] = NOT_WRITTEN
    span: Span | None = None


@dataclass(frozen=True)
class ComponentRequirements(Replaceable):
    """What one copy of a model placed on shared instances asks of them (a SageMaker inference component)."""

    accelerator_devices: Sourced[int] = NOT_WRITTEN
    cpu_cores: Sourced[float] = NOT_WRITTEN
    min_memory_mb: Sourced[int] = NOT_WRITTEN
    span: Span | None = None


class ScalingMetricKind(str, enum.Enum):
    """What a scaling policy's metric measures, as the adapter decoded it from the platform's metric name."""

    CPU_UTILIZATION = "cpu-utilization"  # a share of the CPUs: 0 to 100 x the vCPUs
    GPU_UTILIZATION = "gpu-utilization"  # a share of the GPUs (compute or memory): 0 to 100 x the GPUs
    BACKLOG_WITHOUT_CAPACITY = "backlog-without-capacity"  # requests wait and no instance runs: wakes a unit scaled to zero
    OTHER = "other"  # a metric the adapter knows, or knows nothing more of


@dataclass(frozen=True)
class Consolidation(Replaceable):
    """Whether the capacity a unit runs on is taken away, to save cost, while the unit's pods still run there.

    A node autoscaler that consolidates underutilized nodes (Karpenter)
    evicts the pods of the nodes it removes or replaces: a run-to-completion
    pod starts over. `evicts_running_pods` is True when the capacity does
    that, False when it removes only empty nodes or never consolidates,
    unknown when it cannot be told; its note names the capacity and the
    setting that decides it. `pods_opt_out` is True when the unit's pods ask
    not to be disrupted voluntarily (Karpenter's `karpenter.sh/do-not-disrupt`
    annotation), False when they do not ask, unknown when what they write
    cannot be read as either (a protection that ends after a duration);
    unset (not known, no span) on the capacity itself.
    """

    evicts_running_pods: Sourced[bool] = NOT_WRITTEN
    pods_opt_out: Sourced[bool] = NOT_WRITTEN
    span: Span | None = None


@dataclass(frozen=True)
class ScalingPolicy(Replaceable):
    """One policy that drives a scaling target.

    `metric` and `metric_namespace` are as written (or read from the alarm
    that triggers a step-scaling policy). The rest is what the adapter
    knows of that metric, so that rules never decode metric names:
    `metric_kind` what it measures (unknown when the metric is);
    `metric_published_in` the namespace the platform publishes it in and
    `metric_unit` the unit it is measured in, lowercase (`microseconds`,
    `percent`), both known only for a metric the adapter knows;
    `metric_drives` the scalable dimension a predefined metric type is
    made for.
    """

    policy_type: Sourced[str] = NOT_WRITTEN
    metric: Sourced[str] = NOT_WRITTEN
    metric_namespace: Sourced[str] = NOT_WRITTEN
    target_value: Sourced[float] = NOT_WRITTEN
    span: Span | None = None
    metric_kind: Sourced[ScalingMetricKind] = NOT_WRITTEN
    metric_published_in: Sourced[str] = NOT_WRITTEN
    metric_unit: Sourced[str] = NOT_WRITTEN
    metric_drives: Sourced[str] = NOT_WRITTEN


@dataclass(frozen=True)
class Scaling(Replaceable):
    """An autoscaling target of a unit and the policies that drive it.

    `fitting_metrics` names the predefined metric types made for
    `dimension`, as the adapter knows them (for advice); empty when it
    knows none.
    """

    min_capacity: Sourced[int] = NOT_WRITTEN
    max_capacity: Sourced[int] = NOT_WRITTEN
    dimension: Sourced[str] = NOT_WRITTEN
    policies: tuple[ScalingPolicy, ...] = ()
    linked_by: str = ""
    span: Span | None = None
    fitting_metrics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unit(Replaceable):
    """A variant / pod template / task / compute environment of a deployment.

    `count` is the initial instance count or replica count; `weight` the
    share of traffic (production variants); `scaling` every autoscaling
    target linked to this unit (empty: none found in the run).
    `startup_timeout_seconds` and `model_download_timeout_seconds` bound
    how long the platform waits for the model to be fetched and the
    container to turn healthy; `attached_accelerator` is an accelerator
    attached beside the instance (SageMaker Elastic Inference);
    `attached_accelerator_kind` is what the adapter decoded that type to be.
    `requirements` is set for a unit that places copies of a model on
    another unit's instances (an inference component on its variant).
    `instance_types` holds every instance type the unit's capacity may
    launch when the file limits it to a list of whole types (a node group's
    `InstanceTypes`, a node pool's instance-type requirement); unknown when
    it does not, or names families or sizes the platform chooses among.
    `consolidation` is set where the capacity may be consolidated under the
    unit's pods (a Karpenter NodePool, and the pods pinned to one); None
    where the platform has no such thing or the capacity is not known.
    """

    name: Sourced[str] = NOT_WRITTEN
    compute: Compute = _NO_COMPUTE
    count: Sourced[int] = NOT_WRITTEN
    weight: Sourced[float] = NOT_WRITTEN
    capacity: Sourced[Capacity] = NOT_WRITTEN
    serverless: ServerlessConfig | None = None
    scaling: tuple[Scaling, ...] = ()
    model_names: tuple[str, ...] = ()
    span: Span | None = None
    startup_timeout_seconds: Sourced[int] = NOT_WRITTEN
    model_download_timeout_seconds: Sourced[int] = NOT_WRITTEN
    attached_accelerator: Sourced[str] = NOT_WRITTEN
    requirements: ComponentRequirements | None = None
    attached_accelerator_kind: Sourced[AttachedAccelerator] = NOT_WRITTEN
    instance_types: Sourced[tuple[str, ...]] = NOT_WRITTEN
    consolidation: Consolidation | None = None


@dataclass(frozen=True)
class AsyncConfig(Replaceable):
    """Where an asynchronous endpoint puts results and failures."""

    output_path: Sourced[str] = NOT_WRITTEN
    failure_path: Sourced[str] = NOT_WRITTEN
    success_topic: Sourced[str] = NOT_WRITTEN
    error_topic: Sourced[str] = NOT_WRITTEN
    max_concurrent_invocations: Sourced[int] = NOT_WRITTEN
    span: Span | None = None


@dataclass(frozen=True)
class BatchConfig(Replaceable):
    """Settings of a batch transform job."""

    max_payload_mb: Sourced[int] = NOT_WRITTEN
    max_concurrent_transforms: Sourced[int] = NOT_WRITTEN
    strategy: Sourced[str] = NOT_WRITTEN
    split_type: Sourced[str] = NOT_WRITTEN
    span: Span | None = None


@dataclass(frozen=True)
class TrainingConfig(Replaceable):
    """Settings of a training job that decide its capacity and resilience."""

    managed_spot: Sourced[bool] = NOT_WRITTEN
    max_runtime_seconds: Sourced[int] = NOT_WRITTEN
    max_wait_seconds: Sourced[int] = NOT_WRITTEN
    checkpoint_path: Sourced[str] = NOT_WRITTEN
    span: Span | None = None


@dataclass(frozen=True)
class Network(Replaceable):
    """How a deployment attaches to the network, and which zones it spans.

    `zones` holds the Availability Zones of `subnets` where they are
    knowable (subnets defined in the same template); an empty tuple with
    subnets present means the zones are unknown. `span` is where the
    network placement is written (a VPC configuration, subnets, zones);
    None when none is, or when only an undecided condition may set it.
    """

    subnets: tuple[Sourced[str], ...] = ()
    zones: tuple[Sourced[str], ...] = ()
    network_isolation: Sourced[bool] = NOT_WRITTEN
    span: Span | None = None


@dataclass(frozen=True)
class Availability(Replaceable):
    """What keeps a (Kubernetes) workload up through node and zone loss."""

    zone_spread: Sourced[bool] = NOT_WRITTEN
    disruption_budget: Sourced[str] = NOT_WRITTEN
    min_available: Sourced[object] = NOT_WRITTEN
    max_unavailable: Sourced[object] = NOT_WRITTEN
    span: Span | None = None


@dataclass(frozen=True)
class ResourceRef(Replaceable):
    """A raw resource a deployment was assembled from (for explain and platform rules)."""

    kind: str
    name: str
    span: Span


@dataclass(frozen=True)
class Deployment(Replaceable):
    """One served or batch workload, whatever the platform.

    `id` is unique within a run and variant (adapters prefix it with the
    file path); `span` is where a finding about the deployment as a whole
    points. `variant` is known when the file is judged several times, each
    time with other context (a CloudFormation template with one stage file
    of parameters per stage): its value is the variant's short label
    (`prod-config.json`), shown with every finding about the deployment,
    its span where the variant is written; the same deployment read under
    another variant is another Deployment with the same `id`. Rules judge
    each variant on its own and never compare variants.
    `ml_evidence` is set by adapters of general-purpose workloads (a
    Kubernetes Deployment, an ECS service, a Batch job): known when
    something shows an ML workload (its value says what), unknown with a
    note when nothing does; None for what is ML by what it is (a SageMaker
    endpoint, a KServe InferenceService).
    `namespace` is the scope its name is unique in where the platform has
    one (a Kubernetes namespace); `monitored_by` names a model-monitoring
    schedule that reads its traffic (a SageMaker Model Monitor schedule).
    """

    id: str
    platform: str
    kind: Sourced[DeploymentKind]
    span: Span
    name: Sourced[str] = NOT_WRITTEN
    environment: Sourced[Environment] = NOT_WRITTEN
    variant: Sourced[str] = NOT_WRITTEN
    profile: WorkloadProfile = NO_PROFILE
    models: tuple[ModelSpec, ...] = ()
    units: tuple[Unit, ...] = ()
    async_config: AsyncConfig | None = None
    batch: BatchConfig | None = None
    training: TrainingConfig | None = None
    network: Network | None = None
    availability: Availability | None = None
    data_capture: Sourced[bool] = NOT_WRITTEN
    region: Sourced[str] = NOT_WRITTEN
    links: tuple[ResourceRef, ...] = ()
    attributes: tuple[tuple[str, Sourced], ...] = ()
    ml_evidence: "Sourced[str] | None" = None
    namespace: Sourced[str] = NOT_WRITTEN
    monitored_by: Sourced[str] = NOT_WRITTEN

    @property
    def path(self) -> str:
        """The file the deployment was read from."""
        return self.span.path

    def attribute(self, key: str) -> Sourced:
        """A platform-neutral extra fact by name (UNKNOWN when absent)."""
        for name, value in self.attributes:
            if name == key:
                return value
        return Sourced()

    @property
    def is_production(self) -> bool:
        """True only when the environment is known to be production."""
        return self.environment.value is Environment.PROD


class LinkStatus(str, enum.Enum):
    """What an adapter found a scaling target to refer to (`ScalingTarget.status`)."""

    LINKED = "linked"  # the deployment and unit it scales are in the run
    NO_SUCH_DEPLOYMENT = "no-such-deployment"  # it names a deployment that is not there
    NO_SUCH_UNIT = "no-such-unit"  # the deployment is there, the unit (variant, component) is not
    UNRESOLVED = "unresolved"  # what it names is not known
    OTHER_SERVICE = "other-service"  # it scales something no deployment stands for (a table, a function)
    NOT_IN_RUN = "not-in-run"  # not in the run, and nothing suggests a typo: likely rendered or deployed elsewhere
    ELSEWHERE_IN_RUN = "elsewhere-in-run"  # not in its own file, but it may name deployments of other files


@dataclass(frozen=True)
class ScalingTarget(Replaceable):
    """An autoscaling target as written, and what it was linked to.

    Adapters report every target they read, linked or not, so that rules can
    judge targets that scale nothing (`status` other than LINKED) and
    `explain` can say why a link was or was not made; `status` is a
    `LinkStatus` (a plain string of one of its values is read as one).
    `searched_run` is True when the adapter looked for the target's resource
    among all documents of the run, so a "no-such-…" status is final;
    adapters that look in the target's own file first (a CloudFormation
    template) look through the run in `mldeploy_link`. `refers_to` holds
    the IDs of the deployments of other files of the run the target names
    (status ELSEWHERE_IN_RUN; empty when only deployments whose name is
    not known may be the one). `variant` is the label of the variant of
    its file it was read under (see `Deployment.variant`), "" when the file
    is read once.
    """

    resource_id: Sourced[str]
    scaling: Scaling
    status: LinkStatus
    reason: str
    deployment_id: str = ""
    unit_name: str = ""
    span: Span | None = None
    searched_run: bool = False
    variant: str = ""
    refers_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.status, LinkStatus):
            object.__setattr__(self, "status", LinkStatus(self.status))


@dataclass(frozen=True)
class Ignore(Replaceable):
    """A suppression an adapter read from its input, for the engine to apply.

    Written beside what it excuses — CloudFormation resource `Metadata`
    (`mldeploy-lint: {ignore: {CP001: reason}}`), a Kubernetes annotation
    (`ignore.mldeploy-lint.io/CP001: reason`). `selector` is a rule ID,
    prefix or slug; `span` is where the entry is written (for MD003 when it
    excuses nothing); a finding is excused when its location lies within
    `scope` (the resource's or object's extent) and its rule matches.
    Adapters return these from `mldeploy_extract` beside deployments.
    """

    selector: str
    reason: str
    span: Span
    scope: Span


@dataclass(frozen=True)
class DocumentFormat(Replaceable):
    """What an adapter recognised a document as, for other plugins to ask the run.

    Adapters may return these from `mldeploy_extract` beside deployments
    (`DocumentFormat("cloudformation-template")`); `RunContext.formats_of`
    answers with the names every adapter gave a document, so that a plugin
    that works on one format (the cfn-lint bridge on templates) asks the run
    instead of importing the adapter that reads it. `name` is lower-case
    words joined by hyphens, prefixed by the format's family.
    """

    name: str


@dataclass(frozen=True)
class SuppressionEdit(Replaceable):
    """Text that, inserted into a file, makes a suppression excuse a rule for one resource or object.

    What an adapter answers `mldeploy_suppression_edit` with, for an editor's
    quick fix: insert `text` before 1-based `line`/`column` (code points, as
    in a `Span`). `where` names in words what the edit writes to, for the
    fix's title ("Metadata of ScoringConfig", "annotations of Deployment
    scorer").
    """

    line: int
    column: int
    text: str
    where: str


@dataclass(frozen=True)
class InputProblem(Replaceable):
    """A located defect an adapter found in its input (wrong type, bad profile).

    Adapters return these beside deployments; the engine reports them as
    `MD004 invalid-workload-profile` findings (or the rule named in
    `rule_id`), since adapters never judge deployments themselves.
    """

    message: str
    span: Span
    rule_id: str = "MD004"
