"""The decision table `advise` follows, written from the data tables (docs/advise.md embeds it)."""

from __future__ import annotations

from plugins.data import (
    limit,
    payload_limit,
    queued_latency_floor_ms,
    raw_tables,
    serverless_cold_start_seconds,
    shared_endpoint_min_endpoints,
)

BEGIN = "<!-- BEGIN GENERATED: mldeploy-lint advise --decision-table -->"
END = "<!-- END GENERATED -->"


def _seconds(value: float) -> str:
    return f"{value / 3600:g} h" if value >= 3600 else f"{value:g} s"


def decision_table() -> str:
    """The table as Markdown: each question in the order advise asks it, its threshold, answer, rule and source."""
    realtime, serverless, queued, batch = (payload_limit(kind) for kind in ("realtime", "serverless", "async", "batch-transform"))
    response = limit("realtime", "container_response_seconds")
    timeout = limit("async", "invocation_timeout_seconds")
    fastest, slowest = serverless_cold_start_seconds()
    tables = raw_tables()
    large = limit("advisor", "large_model_gb")
    rows = [
        ("framework is a large-model server (TGI, vLLM, LMI, SGLang, TensorRT-LLM)", "—", "GPU (or Inferentia2 with a Neuron image); stream responses", "CP002", tables["images"]["llm_server_frameworks"]["source"]),
        ("framework is tabular (XGBoost, scikit-learn, LightGBM, ...)", "—", "CPU", "CP001", tables["images"]["tabular_frameworks"]["source"]),
        ("other model, declared model-size-gb", f"≥ {large.value} GB", "GPU, else CPU", "advisor.large_model_gb", large.source),
        ("payload-mb above the asynchronous limit", queued.display, "batch transform (records up to " + batch.display + "; SageMaker) / Job (Kubernetes)", "EP001", queued.source),
        ("latency-ms above the asynchronous per-request maximum", _seconds(float(timeout.max)), "batch transform", "async.invocation_timeout_seconds", timeout.source),
        ("traffic scheduled with a declared urgency", "—", "batch transform (SageMaker) / Job (Kubernetes)", "endpoint_fit.queued_latency_floor_ms", tables["endpoint_fit"]["queued_latency_floor_ms"]["source"]),
        ("payload-mb above the real-time limit", realtime.display, "asynchronous endpoint", "EP001", realtime.source),
        ("latency-ms above the real-time container response limit", _seconds(float(response.value)), "asynchronous endpoint", "realtime.container_response_seconds", response.source),
        ("… and latency-ms below what a queued endpoint is credited with", f"{queued_latency_floor_ms():g} ms", "nothing fits: say so, emit nothing", "EP002", tables["endpoint_fit"]["queued_latency_floor_ms"]["source"]),
        ("models of one framework", f"≥ {shared_endpoint_min_endpoints()}", "one real-time multi-model endpoint (CPU) or inference components (GPU)", "EP006", tables["endpoint_fit"]["shared_endpoint_min_endpoints"]["source"]),
        ("traffic intermittent or scheduled, CPU, payload within the serverless limit, latency-ms not below the cold start", f"{serverless.display}; {fastest:g}–{slowest:g} s", "serverless endpoint (cold-start trade-off stated)", "EP003", limit("serverless", "cold_start_seconds").source),
        ("traffic intermittent or scheduled otherwise, latency-ms not below the queue", f"{queued_latency_floor_ms():g} ms", "asynchronous endpoint scaling to 0, woken by a backlog alarm", "EP003, AS006", tables["async"]["scaling"]["source"]),
        ("anything else", "—", "real-time endpoint", "EP002", tables["endpoint_fit"]["queued_latency_floor_ms"]["source"]),
        ("SageMaker endpoints and batch transform", "—", "on-demand: they have no Spot option", "managed_spot.job_kinds", tables["managed_spot"]["job_kinds"]["source"]),
        ("Kubernetes Jobs", "—", "Spot unless urgency is urgent", "SP001", tables["capacity"]["settings"][1]["source"]),
        ("environment prod (real-time, asynchronous, Kubernetes service)", f"≥ {limit('availability', 'min_instances_across_azs').value} instances / replicas", "autoscaling minimum and initial count at least that; zone spread and a PodDisruptionBudget on Kubernetes", "HA001, HA003, AS004", limit("availability", "min_instances_across_azs").source),
        ("real-time autoscaling", f"{limit('advisor', 'invocations_per_instance_target').value} invocations per instance", "target tracking on SageMakerVariantInvocationsPerInstance, maximum " + str(limit("advisor", "max_capacity").value), "AS001", limit("advisor", "invocations_per_instance_target").source),
        ("asynchronous autoscaling", f"{limit('advisor', 'backlog_per_instance_target').value} queued per instance", "target tracking on ApproximateBacklogSizePerInstance", "AS001", limit("advisor", "backlog_per_instance_target").source),
    ]
    lines = ["| question | threshold | answer | rule or fact | source |", "|---|---|---|---|---|"]
    for question, threshold, answer, why, source in rows:
        lines.append(f"| {question} | {threshold} | {answer} | {why} | {source.replace('|', '/')} |")
    return "\n".join(lines) + "\n"
