"""HA002 single-az-network."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, Network, RunContext, Severity, Span, Violation, rule

from plugins.data import limit
from plugins.rules.common import SERVING_KINDS, display_name, where


@rule(
    "HA002",
    "single-az-network",
    Severity.WARNING,
    "A serving deployment's subnets all lie in one Availability Zone.",
    tags=("sagemaker", "ecs", "availability", "network"),
    kinds=SERVING_KINDS, ml_only=True,
)
def single_az_network(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a serving deployment — a SageMaker endpoint whose model or
    endpoint configuration has a `VpcConfig`, an ECS service with an
    `awsvpc` network configuration — whose subnets all lie in the same
    Availability Zone. A subnet's zone is known only when the subnet is
    defined in the same template with `AvailabilityZone` (or
    `AvailabilityZoneId`); the rule is silent as soon as one subnet's zone
    is unknown (a subnet ID, a parameter, an import), or when the zone is
    chosen by a condition it cannot decide. Two zones written the same way
    count as the same zone, even when they are built from the same
    unresolved pieces. Batch and training jobs are not checked: a job that
    loses its zone can be run again, an endpoint is simply down.

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    Instances and tasks can only be placed in the zones of the subnets they
    are given. With every subnet in one zone, a second instance does not
    protect against a zone outage, and SageMaker cannot spread the
    endpoint's instances at all. AWS asks for at least two subnets in
    different zones for a VPC endpoint, even with a single instance.

    ## Example
    ```yaml
    SubnetA:
      Type: AWS::EC2::Subnet
      Properties:
        VpcId: vpc-0a1b2c3d4e5f67890
        CidrBlock: 10.0.1.0/24
        AvailabilityZone: eu-west-1a
    SubnetB:
      Type: AWS::EC2::Subnet
      Properties:
        VpcId: vpc-0a1b2c3d4e5f67890
        CidrBlock: 10.0.2.0/24
        AvailabilityZone: eu-west-1a
    ScoringModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1
        VpcConfig:
          Subnets: [!Ref SubnetA, !Ref SubnetB]
          SecurityGroupIds: [sg-0123456789abcdef0]
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ScoringModel.ModelName
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ScoringEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointConfigName: !GetAtt ScoringConfig.EndpointConfigName
    ```

    ## Fix
    Put the subnets in different zones:
    ```yaml
    SubnetA:
      Type: AWS::EC2::Subnet
      Properties:
        VpcId: vpc-0a1b2c3d4e5f67890
        CidrBlock: 10.0.1.0/24
        AvailabilityZone: eu-west-1a
    SubnetB:
      Type: AWS::EC2::Subnet
      Properties:
        VpcId: vpc-0a1b2c3d4e5f67890
        CidrBlock: 10.0.2.0/24
        AvailabilityZone: eu-west-1b
    ScoringModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1
        VpcConfig:
          Subnets: [!Ref SubnetA, !Ref SubnetB]
          SecurityGroupIds: [sg-0123456789abcdef0]
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ScoringModel.ModelName
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ScoringEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointConfigName: !GetAtt ScoringConfig.EndpointConfigName
    ```

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html ("at least two subnets in different availability zones … even if you have only one hosting instance")
    - https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-best-practices.html (configure the VPC with at least two subnets, each in a different Availability Zone)
    """
    network = deployment.network
    if network is None or not network.zones:
        return
    if not all(zone.known for zone in network.zones):
        return
    zones = {str(zone.value) for zone in network.zones}
    if len(zones) != 1:
        return
    zone = zones.pop()
    needed = limit("availability", "min_subnets_in_distinct_azs").value
    count = len(network.subnets) or len(network.zones)
    placed = {1: "its only subnet is", 2: "both its subnets are"}.get(count, f"all {count} of its subnets are")
    yield Violation(
        f"{display_name(deployment)} can only run in Availability Zone {zone}: {placed} there — add a subnet "
        f"in another zone (at least {needed} zones)",
        _subnets_span(network) or where(network.span, network.zones[0], default=deployment.span),
    )


def _subnets_span(network: Network) -> Span | None:
    """From the first subnet to the last, where the subnets are written in one file."""
    spans = [subnet.span for subnet in network.subnets if subnet.span is not None]
    if not spans or len(spans) != len(network.subnets) or len({span.path for span in spans}) != 1:
        return None
    first, last = spans[0], spans[-1]
    return Span(first.path, first.line, first.column, last.end_line, last.end_column)
