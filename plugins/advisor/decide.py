"""From a workload profile to a recommendation, each choice with the rule or the fact behind it.

The decisions are the rules' own (plugins.rules.endpoint_fit_decisions, the
availability and autoscaling thresholds) over the same data tables, so that
a recommendation never picks what a rule would report. When no deployment
fits the profile (a payload larger than a real-time endpoint takes with a
latency target below what a queued one gives), the advice says so and names
the rules that would fire, instead of recommending something that lints dirty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plugins.advisor.profile import AdviceProfile
from plugins.data import (
    example_image,
    example_instance_types,
    example_instance_types_source,
    limit,
    managed_spot_supported,
    payload_limit,
    raw_tables,
    scalable_dimension,
    serverless_cold_start_seconds,
    serverless_memory_sizes,
    serverless_unsupported_features,
    shared_endpoint_min_endpoints,
)
from plugins.rules.endpoint_fit_decisions import (
    cold_start_meets_latency,
    idle_traffic,
    payload_fits,
    queue_meets_latency,
)

# Endpoint types as the advice names them, and the deployment kinds of the model behind them.
REAL_TIME, SERVERLESS, ASYNC, BATCH_TRANSFORM = "real-time", "serverless", "async", "batch-transform"
SERVICE, JOB = "service", "job"
KIND_OF = {REAL_TIME: "realtime", SERVERLESS: "serverless", ASYNC: "async", BATCH_TRANSFORM: "batch-transform", SERVICE: "service", JOB: "job"}
TYPE_OF_KIND = {kind: name for name, kind in KIND_OF.items()}
SAGEMAKER_TYPES = (REAL_TIME, SERVERLESS, ASYNC, BATCH_TRANSFORM)

# The image build (`images` table) an image needs for the advice's cpu | gpu | inferentia.
IMAGE_BUILD = {"cpu": "cpu", "gpu": "gpu", "inferentia": "neuron"}


@dataclass(frozen=True)
class Reason:
    """Why one choice was made: the rule that would fire otherwise, or the fact it rests on, and its source."""

    text: str
    source: str
    rule: str | None = None
    fact: str | None = None

    def as_dict(self) -> dict:
        entry: dict = {"text": self.text}
        if self.rule:
            entry["rule"] = self.rule
        if self.fact:
            entry["fact"] = self.fact
        entry["source"] = self.source
        return entry


@dataclass(frozen=True)
class Alternative:
    """Another deployment that fits, and when to prefer it."""

    endpoint_type: str
    text: str

    def as_dict(self) -> dict:
        return {"endpoint_type": self.endpoint_type, "text": self.text}


@dataclass(frozen=True)
class Advice:
    """A recommendation. `fits` is False when no deployment fits the profile; `conflicts` then names the rules."""

    profile: AdviceProfile
    endpoint_type: str
    accelerator: str
    instance_type: str | None
    compute_alternatives: tuple[str, ...]
    pricing: str
    pricing_why: str
    scaling: dict
    availability: dict
    hosting: str
    reasons: tuple[Reason, ...]
    alternatives: tuple[Alternative, ...] = ()
    streaming: bool = False
    image: str | None = None
    fits: bool = True
    conflicts: tuple[Reason, ...] = ()
    serverless: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return KIND_OF[self.endpoint_type]


def _fact(section: str, name: str) -> str:
    return f"{section}.{name}"


def _seconds(value: float) -> str:
    if value >= 3600 and value % 3600 == 0:
        return f"{value / 3600:g} h"
    if value >= 60 and value % 60 == 0:
        return f"{value / 60:g} min"
    return f"{value:g} s"


def _duration_ms(value: float) -> str:
    return f"{value / 1000:g} s" if value >= 1000 else f"{value:g} ms"


# --- compute -----------------------------------------------------------------


def _accelerator(profile: AdviceProfile, reasons: list[Reason]) -> tuple[str, tuple[str, ...]]:
    """cpu | gpu | inferentia, and the other accelerators that would do."""
    images = raw_tables()["images"]
    if profile.llm_server:
        reasons.append(
            Reason(
                f"{profile.framework} is a large-model server: it needs a GPU (or AWS Inferentia2 with a Neuron image)",
                images["llm_server_frameworks"]["source"],
                rule="CP002",
            )
        )
        return "gpu", ("inferentia",)
    if profile.tabular:
        reasons.append(
            Reason(
                f"{profile.framework} is a tabular model: a CPU instance serves it; a GPU would mostly idle",
                images["tabular_frameworks"]["source"],
                rule="CP001",
            )
        )
        return "cpu", ()
    large = limit("advisor", "large_model_gb")
    if profile.model_size_gb is not None and profile.model_size_gb >= float(large.value):  # type: ignore[arg-type]
        reasons.append(
            Reason(
                f"a {profile.model_size_gb:g} GB model is at least {large.value} GB: serve it from an accelerator",
                large.source,
                fact=_fact("advisor", "large_model_gb"),
            )
        )
        return "gpu", ("inferentia",)
    size = f"a {profile.model_size_gb:g} GB model" if profile.model_size_gb is not None else "a model of undeclared size"
    reasons.append(
        Reason(
            f"{size} of {profile.framework or 'an undeclared framework'} starts on CPU (below {large.value} GB); "
            "move to a GPU if load tests say so",
            large.source,
            fact=_fact("advisor", "large_model_gb"),
        )
    )
    return "cpu", ("gpu",)


def _serverless_memory(profile: AdviceProfile) -> int | None:
    """The smallest allowed serverless memory size that holds the model; None when none does."""
    if profile.model_size_gb is None:
        return int(limit("advisor", "serverless_memory_mb").value)  # type: ignore[arg-type]
    needed = profile.model_size_gb * 1000
    return next((size for size in serverless_memory_sizes() if size >= needed), None)


def _serverless_blocker(profile: AdviceProfile, accelerator: str) -> tuple[str, str, str | None] | None:
    """Why a serverless endpoint does not fit, as (text, source, rule); None when it fits."""
    if accelerator != "cpu":
        feature = next(item for item in serverless_unsupported_features() if item.feature == "gpu")
        return f"serverless endpoints have no {feature.description}", feature.source, "CP002" if profile.llm_server else None
    if profile.payload_mb is not None and not payload_fits("serverless", profile.payload_mb):
        served = payload_limit("serverless")
        return f"serverless takes at most {served.display}", served.source, "EP001"  # type: ignore[union-attr]
    if _serverless_memory(profile) is None:
        memory = limit("serverless", "memory_sizes_mb")
        return f"a {profile.model_size_gb:g} GB model does not fit the largest serverless memory size ({max(memory.values)} MB)", memory.source, None  # type: ignore[arg-type]
    if profile.models >= shared_endpoint_min_endpoints():
        feature = next(item for item in serverless_unsupported_features() if item.feature == "multi-model")
        return f"serverless endpoints do not host {feature.description}", feature.source, "EP006"
    return None


# --- endpoint type -----------------------------------------------------------


def _sagemaker_type(profile: AdviceProfile, accelerator: str, reasons: list[Reason], alternatives: list[Alternative]) -> tuple[str, list[Reason]]:
    """The SageMaker endpoint type, and the conflicts when none fits."""
    realtime_seconds = float(limit("realtime", "container_response_seconds").value)  # type: ignore[arg-type]
    async_timeout = limit("async", "invocation_timeout_seconds")
    payload, latency = profile.payload_mb, profile.latency_ms
    conflicts: list[Reason] = []
    too_big_for_realtime = payload is not None and not payload_fits("realtime", payload)

    if payload is not None and not payload_fits("async", payload):
        queued = payload_limit("async")
        batch = payload_limit("batch-transform")
        reasons.append(
            Reason(
                f"a {payload:g} MB request exceeds every endpoint type (asynchronous: {queued.display}): score it offline in "  # type: ignore[union-attr]
                f"records of at most {batch.display}",  # type: ignore[union-attr]
                queued.source,  # type: ignore[union-attr]
                rule="EP001",
            )
        )
        if latency is not None and not queue_meets_latency(latency):
            conflicts.append(_queue_conflict(latency, BATCH_TRANSFORM))
        return BATCH_TRANSFORM, conflicts
    if latency is not None and latency > float(async_timeout.max) * 1000:  # type: ignore[arg-type]
        reasons.append(
            Reason(
                f"requests that may take {_duration_ms(latency)} exceed the {_seconds(float(async_timeout.max))} an asynchronous "  # type: ignore[arg-type]
                "endpoint allows per request: run the work as a batch transform job",
                async_timeout.source,
                fact=_fact("async", "invocation_timeout_seconds"),
            )
        )
        return BATCH_TRANSFORM, conflicts
    if profile.offline or (profile.traffic == "scheduled" and profile.urgency is not None and (latency is None or queue_meets_latency(latency))):
        reasons.append(
            Reason(
                f"scheduled work with a declared urgency ({profile.urgency}) is a job, not a stream of requests: a batch "
                "transform job scores the whole input and stops",
                raw_tables()["endpoint_fit"]["queued_latency_floor_ms"]["source"],
                fact=_fact("endpoint_fit", "queued_latency_floor_ms"),
            )
        )
        return BATCH_TRANSFORM, conflicts
    if too_big_for_realtime or (latency is not None and latency > realtime_seconds * 1000):
        if too_big_for_realtime:
            realtime = payload_limit("realtime")
            reasons.append(
                Reason(
                    f"a {payload:g} MB request exceeds the {realtime.display} a real-time endpoint takes; an asynchronous "  # type: ignore[union-attr]
                    f"endpoint reads it from S3 (up to {payload_limit('async').display})",  # type: ignore[union-attr]
                    realtime.source,  # type: ignore[union-attr]
                    rule="EP001",
                )
            )
        if latency is not None and latency > realtime_seconds * 1000:
            reasons.append(
                Reason(
                    f"a request that may take {_duration_ms(latency)} outlives the {_seconds(realtime_seconds)} a real-time "
                    f"(or serverless) endpoint waits for its container; an asynchronous endpoint allows up to "
                    f"{_seconds(float(async_timeout.max))} (default {_seconds(float(async_timeout.default))}: set InvocationTimeoutSeconds)",  # type: ignore[arg-type]
                    limit("realtime", "container_response_seconds").source,
                    fact=_fact("realtime", "container_response_seconds"),
                )
            )
        if latency is not None and not queue_meets_latency(latency):
            conflicts.append(_queue_conflict(latency, ASYNC))
        return ASYNC, conflicts

    if profile.models >= shared_endpoint_min_endpoints():
        reasons.append(
            Reason(
                f"{profile.models} models of one framework share one real-time endpoint instead of one endpoint each",
                raw_tables()["endpoint_fit"]["shared_endpoint_min_endpoints"]["source"],
                rule="EP006",
            )
        )
        return REAL_TIME, conflicts

    if profile.traffic is not None and idle_traffic(profile.traffic):
        blocker = _serverless_blocker(profile, accelerator)
        fastest, slowest = serverless_cold_start_seconds()
        cold = limit("serverless", "cold_start_seconds")
        queue_ok = latency is None or queue_meets_latency(latency)
        if blocker is None and (latency is None or cold_start_meets_latency(latency)):
            reasons.append(
                Reason(
                    f"traffic '{profile.traffic}' would leave always-on instances idle and billed; a serverless endpoint "
                    "scales to zero between requests",
                    raw_tables()["serverless"]["unsupported_features"][0]["source"],
                    rule="EP003",
                )
            )
            reasons.append(
                Reason(
                    f"trade-off: after an idle period a request waits {_seconds(fastest)} to {_seconds(slowest)} for a cold start "
                    "(ProvisionedConcurrency keeps capacity warm, at a price)",
                    cold.source,
                    fact=_fact("serverless", "cold_start_seconds"),
                )
            )
            if queue_ok and payload_fits("async", payload or 0):
                alternatives.append(
                    Alternative(ASYNC, "an asynchronous endpoint with autoscaling MinCapacity 0 (requests queue while it wakes up)")
                )
            return SERVERLESS, conflicts
        if queue_ok:
            why_not = f" ({blocker[0]})" if blocker else ""
            reasons.append(
                Reason(
                    f"traffic '{profile.traffic}' would leave always-on instances idle and billed; an asynchronous endpoint "
                    f"scales to zero instances and queues requests while it wakes up{why_not}",
                    raw_tables()["async"]["scaling"]["source"],
                    rule="EP003",
                )
            )
            return ASYNC, conflicts
        reasons.append(
            Reason(
                f"the latency target {_duration_ms(latency)} is below what a serverless endpoint after a cold start or a "  # type: ignore[arg-type]
                "queued asynchronous endpoint gives: always-on instances are what the target costs",
                cold.source,
                fact=_fact("serverless", "cold_start_seconds"),
            )
        )
        if blocker is None:
            alternatives.append(
                Alternative(SERVERLESS, "a serverless endpoint with ProvisionedConcurrency (warm capacity billed while provisioned)")
            )
        return REAL_TIME, conflicts

    if latency is not None:
        reasons.append(
            Reason(
                f"a {_duration_ms(latency)} latency target needs an endpoint that answers synchronously: real-time",
                raw_tables()["endpoint_fit"]["queued_latency_floor_ms"]["source"],
                rule="EP002" if not queue_meets_latency(latency) else None,
                fact=None if not queue_meets_latency(latency) else _fact("realtime", "container_response_seconds"),
            )
        )
    else:
        reasons.append(
            Reason(
                f"traffic '{profile.traffic or 'undeclared'}' with requests that fit a real-time endpoint: real-time",
                payload_limit("realtime").source,  # type: ignore[union-attr]
                fact=_fact("payload_limits", "realtime"),
            )
        )
    return REAL_TIME, conflicts


def _queue_conflict(latency: float, endpoint_type: str) -> Reason:
    floor = raw_tables()["endpoint_fit"]["queued_latency_floor_ms"]
    return Reason(
        f"the latency target {_duration_ms(latency)} is below the {_duration_ms(float(floor['value']))} a queued "
        f"{'batch transform job' if endpoint_type == BATCH_TRANSFORM else 'asynchronous endpoint'} can be counted on for, "
        "and the payload rules out the faster types: relax the target or split the request",
        floor["source"],
        rule="EP002",
    )


def _kubernetes_type(profile: AdviceProfile, reasons: list[Reason]) -> str:
    batch_like = (
        (profile.payload_mb is not None and not payload_fits("async", profile.payload_mb))
        or (profile.traffic == "scheduled" and profile.urgency is not None)
        or profile.offline
    )
    if batch_like:
        reasons.append(
            Reason(
                "scheduled work with a declared urgency (or inputs no request carries) runs as a Kubernetes Job",
                raw_tables()["endpoint_fit"]["queued_latency_floor_ms"]["source"],
                fact=_fact("endpoint_fit", "queued_latency_floor_ms"),
            )
        )
        return JOB
    reasons.append(
        Reason(
            "requests are served by a long-running KServe InferenceService",
            raw_tables()["images"]["kserve_model_formats"]["source"],
            fact=_fact("images", "kserve_model_formats"),
        )
    )
    return SERVICE


# --- pricing, scaling, availability, hosting ----------------------------------


def _pricing(profile: AdviceProfile, endpoint_type: str, alternatives: list[Alternative]) -> tuple[str, str, Reason]:
    spot_table = raw_tables()["managed_spot"]["job_kinds"]
    capacity_source = raw_tables()["capacity"]["settings"][1]["source"]
    if endpoint_type in SAGEMAKER_TYPES:
        assert managed_spot_supported(KIND_OF[endpoint_type]) is False  # never Spot for endpoints or transform jobs
        label = {REAL_TIME: "real-time endpoints", SERVERLESS: "serverless endpoints", ASYNC: "asynchronous endpoints", BATCH_TRANSFORM: "batch transform jobs"}[endpoint_type]
        why = f"SageMaker {label} have no Spot option"
        if endpoint_type == SERVERLESS:
            why += "; a serverless endpoint is billed for the compute its requests use"
        if endpoint_type == BATCH_TRANSFORM and profile.urgency != "urgent":
            alternatives.append(
                Alternative(
                    JOB,
                    "deferrable work can run on Spot capacity elsewhere: AWS Batch (SPOT or FARGATE_SPOT) or Kubernetes "
                    "Jobs on Spot nodes (SP001 reports such work left on on-demand capacity)",
                )
            )
        return "on-demand", why, Reason(why, spot_table["source"], fact=_fact("managed_spot", "job_kinds"))
    if endpoint_type == JOB:
        if profile.urgency == "urgent":
            why = "urgent work runs on on-demand capacity, which is not interrupted"
            return "on-demand", why, Reason(why, capacity_source, rule="SP001")
        why = "work that can wait runs on Spot capacity, which may interrupt it: make the job restartable"
        return "spot", why, Reason(why, capacity_source, rule="SP001")
    why = "serving stays on on-demand capacity: Spot-only serving goes down with an interruption"
    return "on-demand", why, Reason(why, raw_tables()["capacity"]["labels"][0]["source"], rule="HA006" if profile.production else None, fact=None if profile.production else _fact("capacity", "labels"))


def _min_instances(profile: AdviceProfile) -> int:
    return int(limit("availability", "min_instances_across_azs").value) if profile.production else 1  # type: ignore[arg-type]


def _scaling(profile: AdviceProfile, endpoint_type: str, accelerator: str, reasons: list[Reason]) -> dict:
    minimum = _min_instances(profile)
    maximum = max(int(limit("advisor", "max_capacity").value), minimum + 1)  # type: ignore[arg-type]
    if endpoint_type == REAL_TIME:
        dimension = scalable_dimension("sagemaker:variant:DesiredInstanceCount")
        metric = dimension.predefined_metrics[0]  # type: ignore[union-attr]
        target = limit("advisor", "invocations_per_instance_target")
        reasons.append(
            Reason(
                f"autoscaling on {metric} (target {target.value}, {minimum}-{maximum} instances): capacity follows the traffic",
                target.source,
                rule="AS001",
            )
        )
        return {"dimension": dimension.name, "metric": metric, "target": target.value, "min": minimum, "max": maximum}  # type: ignore[union-attr]
    if endpoint_type == ASYNC:
        scaling = raw_tables()["async"]["scaling"]
        target = limit("advisor", "backlog_per_instance_target")
        scales_to_zero = profile.traffic is not None and idle_traffic(profile.traffic)
        low = int(scaling["min_capacity"]) if scales_to_zero else minimum
        entry = {
            "dimension": "sagemaker:variant:DesiredInstanceCount",
            "metric": scaling["target_metric"],
            "namespace": scaling["namespace"],
            "target": target.value,
            "min": low,
            "max": maximum,
        }
        text = f"autoscaling on the queue ({scaling['target_metric']} target {target.value}, {low}-{maximum} instances)"
        if scales_to_zero:
            entry["wake_metric"] = scaling["wake_metric"]
            text += f", and a step-scaling policy on {scaling['wake_metric']} that wakes it from 0"
        reasons.append(Reason(text, scaling["source"], rule="AS006" if scales_to_zero else "AS001"))
        return entry
    if endpoint_type == SERVERLESS:
        dimension = scalable_dimension("sagemaker:variant:DesiredProvisionedConcurrency")
        return {"dimension": None, "metric": None, "target": None, "min": 0, "max": None, "note": f"SageMaker scales serverless endpoints itself; {dimension.name} applies to provisioned concurrency only"}  # type: ignore[union-attr]
    if endpoint_type == SERVICE:
        kserve_minimum = int(limit("kubernetes", "min_serving_replicas").value) if profile.production else 1  # type: ignore[arg-type]
        maximum = max(int(limit("advisor", "max_capacity").value), kserve_minimum + 1)  # type: ignore[arg-type]
        target = limit("kubernetes", "hpa_default_cpu_utilization")
        reasons.append(
            Reason(
                f"KServe autoscaling on CPU utilization (target {target.default}%, {kserve_minimum}-{maximum} replicas)",
                target.source,
                rule="AS001",
            )
        )
        return {"dimension": None, "metric": "cpu", "target": target.default, "min": kserve_minimum, "max": maximum}
    return {"dimension": None, "metric": None, "target": None, "min": None, "max": None, "note": "a job runs to completion; raise its instance count to finish sooner"}


def _availability(profile: AdviceProfile, endpoint_type: str, reasons: list[Reason]) -> dict:
    if endpoint_type in (REAL_TIME, ASYNC):
        needed = limit("availability", "min_instances_across_azs")
        instances = _min_instances(profile)
        if profile.production:
            reasons.append(
                Reason(
                    f"production: at least {needed.value} instances, which SageMaker places in different Availability Zones",
                    needed.source,
                    rule="HA001",
                )
            )
            return {"instances": instances, "zones": f"{needed.value} or more (SageMaker spreads the instances)"}
        return {"instances": instances, "zones": "1 (not production; use 2 or more instances in production)"}
    if endpoint_type == SERVICE:
        replicas = limit("kubernetes", "min_serving_replicas")
        if profile.production:
            reasons.append(
                Reason(
                    f"production: at least {replicas.value} replicas spread over zones, with a PodDisruptionBudget",
                    replicas.source,
                    rule="HA003",
                )
            )
            return {"instances": int(replicas.value), "zones": "spread over zones (topologySpreadConstraints), PodDisruptionBudget"}  # type: ignore[arg-type]
        return {"instances": 1, "zones": "1 (not production)"}
    if endpoint_type == SERVERLESS:
        return {"instances": None, "zones": "managed by SageMaker"}
    return {"instances": None, "zones": "not applicable to a job"}


def _hosting(profile: AdviceProfile, endpoint_type: str, accelerator: str) -> str:
    if profile.models >= shared_endpoint_min_endpoints() and endpoint_type == REAL_TIME:
        return "multi-model" if accelerator == "cpu" else "inference-components"
    return "single-model"


# --- the whole recommendation -----------------------------------------------------


def advise(profile: AdviceProfile) -> Advice:
    """The recommendation for `profile`."""
    reasons: list[Reason] = []
    alternatives: list[Alternative] = []
    accelerator, other_accelerators = _accelerator(profile, reasons)
    if profile.platform == "kubernetes":
        endpoint_type, conflicts = _kubernetes_type(profile, reasons), []
        if accelerator == "inferentia":
            accelerator = "gpu"
    else:
        endpoint_type, conflicts = _sagemaker_type(profile, accelerator, reasons, alternatives)
        batch = payload_limit("batch-transform")
        if endpoint_type == BATCH_TRANSFORM and profile.payload_mb is not None and not payload_fits("batch-transform", profile.payload_mb):
            conflicts.append(
                Reason(
                    f"a {profile.payload_mb:g} MB payload exceeds the {batch.display} a batch transform record may hold: "  # type: ignore[union-attr]
                    "declare the size of one record (payload-mb) and split the input into records (SplitType)",
                    batch.source,  # type: ignore[union-attr]
                    rule="EP001",
                )
            )
    pricing, pricing_why, pricing_reason = _pricing(profile, endpoint_type, alternatives)
    reasons.append(pricing_reason)
    scaling = _scaling(profile, endpoint_type, accelerator, reasons)
    availability = _availability(profile, endpoint_type, reasons)
    hosting = _hosting(profile, endpoint_type, accelerator)

    job_kind = "transform" if endpoint_type == BATCH_TRANSFORM else "hosting"
    instance_type, compute_alternatives = None, ()
    if profile.platform == "sagemaker":
        types = example_instance_types(accelerator, job_kind)
        instance_type = types[0] if types else None
        compute_alternatives = tuple(types[1:]) + tuple(
            example_instance_types(other, job_kind)[0] for other in other_accelerators if example_instance_types(other, job_kind)
        )
        if endpoint_type == SERVERLESS:
            instance_type, compute_alternatives = None, ()
        else:
            reasons.append(
                Reason(
                    f"{instance_type}: an example {accelerator} instance type valid for {job_kind}",
                    example_instance_types_source(accelerator, job_kind),
                    fact="advisor_examples.instance_types",
                )
            )
    image = example_image(profile.framework, IMAGE_BUILD[accelerator]) if profile.framework else None
    streaming = profile.llm_server and endpoint_type in (REAL_TIME, SERVICE)
    if streaming and profile.platform == "sagemaker":
        realtime = payload_limit("realtime")
        reasons.append(
            Reason(
                f"stream the tokens with InvokeEndpointWithResponseStream (requests still at most {realtime.display})",  # type: ignore[union-attr]
                realtime.source,  # type: ignore[union-attr]
                fact=_fact("payload_limits", "realtime"),
            )
        )
    serverless = {}
    if endpoint_type == SERVERLESS:
        memory = _serverless_memory(profile)
        serverless = {"memory_mb": memory, "max_concurrency": int(limit("advisor", "serverless_max_concurrency").value)}  # type: ignore[arg-type]
    return Advice(
        profile=profile,
        endpoint_type=endpoint_type,
        accelerator=accelerator,
        instance_type=instance_type,
        compute_alternatives=compute_alternatives,
        pricing=pricing,
        pricing_why=pricing_why,
        scaling=scaling,
        availability=availability,
        hosting=hosting,
        reasons=tuple(reasons),
        alternatives=tuple(alternatives),
        streaming=streaming,
        image=image.image if image else None,
        fits=not conflicts,
        conflicts=tuple(conflicts),
        serverless=serverless,
    )
