"""AS002 scaling-target-dangling."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, LinkStatus, RunContext, ScalingTarget, Severity, Violation, rule


def _dangles(target: ScalingTarget) -> bool:
    """The unit named is missing, or the adapter looked through the whole run for the deployment named."""
    if target.status is LinkStatus.NO_SUCH_UNIT:
        return True
    return target.status is LinkStatus.NO_SUCH_DEPLOYMENT and target.searched_run


@rule(
    "AS002",
    "scaling-target-dangling",
    Severity.ERROR,
    "An autoscaling target names an endpoint, variant or workload that does not exist.",
    scope="run",
    tags=("sagemaker", "ecs", "kubernetes", "autoscaling"),
)
def scaling_target_dangling(deployments: tuple[Deployment, ...], run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks every autoscaling target of the run against the deployments it
    is meant to scale. It fires when a target names an existing endpoint
    but a variant (or inference component) the endpoint does not have —
    the classic typo in `VariantName` — and when a target's `ResourceId` is
    fully written out and names an endpoint (or service, or workload) that
    no file of the run defines. `Ref`, `GetAtt`, `Sub` and `Join` are
    resolved before deciding; a name with unresolved pieces
    (`endpoint/${EndpointName}/...`) that could match some deployment, a
    deployment whose name is not known, and a target of another service
    (DynamoDB, Lambda, ...) keep the rule silent.

    On Kubernetes, an HPA or KEDA `scaleTargetRef` naming a workload the
    run does not hold is usually rendered elsewhere (a Helm chart, a
    kustomize base, another repository), so the rule is silent — unless
    the autoscaler's namespace holds a workload of the same kind whose name
    is a near miss (a couple of typed characters away, the data tables
    say how many): then it is the typo the rule exists for, and the
    message says "did you mean …". A namespace of more than 2,000
    workloads of that kind whose names are about as long is not searched
    for one: among that many, a guess helps nobody. CloudFormation and ACK targets keep the
    error: their endpoint must be in the same template, or in the account
    and region of the run.

    ## Why it matters
    Application Auto Scaling refuses to register a target whose resource
    does not exist, so the stack fails to deploy — or, when the target is
    registered out of band, the endpoint the authors meant to scale never
    scales. With a misspelt variant name the template looks complete in
    review, which is why this slips through.

    ## Example
    ```yaml
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: churn-xgboost
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ChurnEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: churn
        EndpointConfigName: !GetAtt ChurnConfig.EndpointConfigName
    ChurnScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/churn/variant/AllTrafic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 2
        MaxCapacity: 6
    ```

    ## Fix
    Name the variant exactly as the endpoint configuration does (or build
    the ID from the resources with `!Sub`):
    ```yaml
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: churn-xgboost
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ChurnEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: churn
        EndpointConfigName: !GetAtt ChurnConfig.EndpointConfigName
    ChurnScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: !Sub endpoint/${ChurnEndpoint.EndpointName}/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 2
        MaxCapacity: 6
    ```

    ## Sources
    - botocore `application-autoscaling` service model: `RegisterScalableTargetRequest.ResourceId` (`endpoint/<endpoint-name>/variant/<variant-name>`, `inference-component/<name>`, `service/<cluster>/<service>`)
    - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/ (`scaleTargetRef`)
    """
    for target in run.scaling_targets:
        if not _dangles(target):
            continue
        anchor = target.resource_id.span or target.span
        if anchor is None:
            continue
        written = f"{target.resource_id.value} " if target.resource_id.known else ""
        yield Violation(f"scaling target {written}scales nothing: {target.reason} — correct the name it refers to", anchor)
