"""HA008 model-server-without-readiness."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, ModelSpec, Probe, RunContext, Severity, Violation, rule

from plugins.data import framework_info, limit
from plugins.rules.common import display_name, violation


def _server(model: ModelSpec) -> str | None:
    """The model server the container runs (`vllm`), or None when it runs none the tables know."""
    info = framework_info(str(model.framework.value)) if model.framework.known else None
    return info.name if info is not None and info.model_server else None


def _loads_for_minutes(model: ModelSpec) -> bool:
    info = framework_info(str(model.framework.value)) if model.framework.known else None
    return bool(info and info.llm_server)


def _window(probe: Probe) -> int | None:
    """Seconds before a failing probe gives up: initialDelaySeconds + periodSeconds x failureThreshold."""
    delay, period, threshold = probe.initial_delay_seconds, probe.period_seconds, probe.failure_threshold
    if not (delay.known and period.known and threshold.known):
        return None
    return int(delay.value) + int(period.value) * int(threshold.value)  # type: ignore[arg-type]


def _served_through_another(deployment: Deployment, model: ModelSpec) -> bool:
    """True when another container of the workload running the same image carries the probes, or comes first.

    A multi-node server (a LeaderWorkerSet) runs one image in every pod and
    serves through its leader, which alone carries the probes: the workers
    are judged with the leader, the first container of that image.
    """
    if not model.image.known:
        return False
    same = [other for other in deployment.models if other.image.known and other.image.value == model.image.value]
    if same and same[0] is not model:
        return True
    return any(
        other is not model and other.probes is not None and (other.probes.readiness is not None or other.probes.startup is not None)
        for other in same
    )


@rule(
    "HA008",
    "model-server-without-readiness",
    Severity.WARNING,
    "A model server container takes traffic before its model is loaded, or is restarted while it loads.",
    tags=("kubernetes", "availability", "llm"),
    kinds=(DeploymentKind.SERVICE,),
)
def model_server_without_readiness(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks the containers of Kubernetes serving workloads (Deployment,
    StatefulSet, LeaderWorkerSet, ...) that run a model server the tables
    know — vLLM, TGI, SGLang, TensorRT-LLM, LMI/DJL, Triton, NIM, TEI,
    MLServer, llama.cpp, Ollama — recognised from the image or from the
    command (`vllm serve`, `python -m sglang.launch_server`):

    - the container has neither a `readinessProbe` nor a `startupProbe`;
    - a large-model server (vLLM, TGI, SGLang, TensorRT-LLM, LMI) has a
      `livenessProbe` but no `startupProbe`, and the liveness probe gives up
      (`initialDelaySeconds` + `periodSeconds` x `failureThreshold`, with
      Kubernetes' defaults of 0, 10 and 3 where not written) within five
      minutes.

    Containers that an operator builds from a custom resource (KServe,
    Seldon Core, KubeRay, NIM and other serving operators) are left alone:
    the controller may set their probes. A container with no probe of its
    own beside one that runs the same image with a readiness or startup
    probe, or after one that runs the same image (the workers of a
    LeaderWorkerSet after their leader), is judged with that one.

    ## Why it matters
    A model server opens its port long before it can answer: it downloads
    the weights, loads them into accelerator memory and warms up, which for
    a large model takes minutes. Without a readiness probe Kubernetes sends
    traffic to the pod as soon as the container starts, and every request
    fails until the model is loaded; a rolling update replaces ready pods
    with pods that cannot serve yet and takes capacity away. A liveness
    probe without a startup probe is the opposite failure: it kills the
    server while it is still loading, and the pod restarts for ever.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: chat
    spec:
      replicas: 2
      selector:
        matchLabels: {app: chat}
      template:
        metadata:
          labels: {app: chat}
        spec:
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.10.0
              args: [--model, meta-llama/Llama-3.1-8B-Instruct]
              ports:
                - containerPort: 8000
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```

    ## Fix
    Let a startup probe wait for the model, and a readiness probe keep the
    pod out of the Service whenever the server cannot answer:
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: chat
    spec:
      replicas: 2
      selector:
        matchLabels: {app: chat}
      template:
        metadata:
          labels: {app: chat}
        spec:
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.10.0
              args: [--model, meta-llama/Llama-3.1-8B-Instruct]
              ports:
                - containerPort: 8000
              startupProbe:
                httpGet: {path: /health, port: 8000}
                periodSeconds: 10
                failureThreshold: 90
              readinessProbe:
                httpGet: {path: /health, port: 8000}
                periodSeconds: 5
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```

    ## Sources
    - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/ (readiness probes keep a pod out of Service load balancers; startup probes protect slow-starting containers; defaults of `periodSeconds` 10 and `failureThreshold` 3)
    - https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes
    - https://docs.vllm.ai/en/latest/deployment/k8s.html (vLLM on Kubernetes: startup/readiness probes on `/health`, since the model takes time to load)
    - https://huggingface.co/docs/text-generation-inference/ (TGI `/health`)
    """
    for model in deployment.models:
        probes = model.probes
        server = _server(model)
        if probes is None or server is None or probes.managed_by.known:
            continue
        container = str(model.name.value) if model.name.known else "(unnamed)"
        if probes.readiness is None and probes.startup is None:
            if _served_through_another(deployment, model):
                continue
            yield violation(
                f"container {container} of {display_name(deployment)} runs {server} with no readinessProbe or startupProbe — the pod takes "
                f"traffic as soon as the container starts, before the model is loaded, and a rolling update drops "
                f"capacity; add a startupProbe that waits for the model and a readinessProbe on the server's health endpoint",
                model.framework, model.image, probes.span, default=deployment.span,
            )
            continue
        liveness = probes.liveness
        if liveness is None or probes.startup is not None or not _loads_for_minutes(model):
            continue
        window = _window(liveness)
        load_window = int(limit("kubernetes", "large_model_load_seconds").value)  # type: ignore[arg-type]
        if window is None or window >= load_window:
            continue
        yield violation(
            f"container {container} of {display_name(deployment)} runs {server}, a large-model server, with a livenessProbe that restarts it "
            f"after {window} s (initialDelaySeconds + periodSeconds x failureThreshold) and no startupProbe — loading a "
            f"large model takes minutes, so the pod may be killed before it is up; add a startupProbe whose "
            f"periodSeconds x failureThreshold covers the load time (at least {load_window} s)",
            liveness.span, probes.span, default=deployment.span,
        )
