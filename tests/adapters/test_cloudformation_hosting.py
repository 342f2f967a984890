"""Linking SageMaker hosting resources of a template into deployments."""

from __future__ import annotations

import time
from dataclasses import replace

from linter import DeploymentKind, Environment, Provenance
from linter.api import lint_text
from linter.engine import LintOptions
from linter.rules import RuleSelector

ONLY_CORE = LintOptions(selector=RuleSelector(("MD",)))


def _read(text: str, path: str = "template.yaml"):
    result = lint_text(text, path, ONLY_CORE)
    assert [finding.message for finding in result.findings] == []
    return result


ISSUE_EXAMPLE = """\
Parameters:
  ModelName: {Type: String}
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      PrimaryContainer:
        Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: !GetAtt Model.ModelName
          InstanceType: ml.m5.large
          InitialInstanceCount: 2
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: !Sub mlops-${ModelName}-prd
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ResourceId: !Sub endpoint/mlops-${ModelName}-prd/variant/AllTraffic
      MinCapacity: 2
      MaxCapacity: 6
  Policy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: invocations
      PolicyType: TargetTrackingScaling
      ServiceNamespace: sagemaker
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ResourceId: !Sub endpoint/mlops-${ModelName}-prd/variant/AllTraffic
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 70
        PredefinedMetricSpecification:
          PredefinedMetricType: SageMakerVariantInvocationsPerInstance
"""


def test_unresolved_names_from_the_same_pieces_link():
    result = _read(ISSUE_EXAMPLE)
    (deployment,) = result.deployments
    assert deployment.kind.value is DeploymentKind.REALTIME
    assert deployment.name.value == "mlops-${ModelName}-prd"
    (unit,) = deployment.units
    assert unit.compute.instance_type.value == "ml.m5.large"
    assert unit.count.value == 2
    (scaling,) = unit.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 6)
    (policy,) = scaling.policies  # linked by the ResourceId/dimension/namespace triple
    assert policy.metric.value == "SageMakerVariantInvocationsPerInstance"
    assert policy.target_value.value == 70
    (target,) = result.scaling_targets
    assert target.status == "linked"
    assert deployment.span.line == 17  # anchored at the Endpoint


def test_variant_typo_is_reported_as_no_such_unit():
    text = ISSUE_EXAMPLE.replace("variant/AllTraffic\n      MinCapacity", "variant/AllTrafic\n      MinCapacity")
    result = _read(text)
    (target,) = result.scaling_targets
    assert target.status == "no-such-unit"
    assert "no variant 'AllTrafic' (variants: AllTraffic)" in target.reason
    assert result.deployments[0].units[0].scaling == ()


def test_target_for_another_service_is_not_linked():
    text = ISSUE_EXAMPLE.replace("ServiceNamespace: sagemaker\n      ScalableDimension: sagemaker:variant:DesiredInstanceCount\n      ResourceId: !Sub endpoint/mlops-${ModelName}-prd/variant/AllTraffic\n      MinCapacity", "ServiceNamespace: dynamodb\n      ScalableDimension: dynamodb:table:ReadCapacityUnits\n      ResourceId: table/orders\n      MinCapacity")
    result = _read(text)
    assert result.scaling_targets[0].status == "other-service"


TWO_ENDPOINTS = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Metadata:
      mldeploy-lint:
        workload: {payload-mb: 2, traffic: steady}
    Properties:
      EndpointConfigName: shared-config
      ProductionVariants:
        - {VariantName: A, ModelName: m, InstanceType: ml.c5.large, InitialInstanceCount: 1}
  Blue:
    Type: AWS::SageMaker::Endpoint
    Metadata:
      mldeploy-lint:
        workload: {traffic: bursty}
    Properties:
      EndpointConfigName: shared-config
      Tags: [{Key: Stage, Value: live}]
  Green:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Orphan:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: A
          ModelName: m
          ServerlessConfig: {MemorySizeInMB: 2048, MaxConcurrency: 5}
"""


def test_config_shared_by_endpoints_and_profiles_merge():
    result = _read(TWO_ENDPOINTS)
    by_name = {deployment.name.value: deployment for deployment in result.deployments}
    assert set(by_name) == {"Blue", "Green", "Orphan"}
    blue, green, orphan = by_name["Blue"], by_name["Green"], by_name["Orphan"]
    assert blue.profile.payload_mb.value == 2  # from the config
    assert blue.profile.traffic.value == "bursty"  # the endpoint's own entry wins
    assert green.profile.traffic.value == "steady"
    assert blue.environment.value is Environment.PROD and blue.environment.note == "tag Stage=live"
    assert not green.environment.known
    assert orphan.kind.value is DeploymentKind.SERVERLESS
    assert orphan.units[0].serverless.memory_mb.value == 2048
    assert [link.kind for link in blue.links] == ["AWS::SageMaker::Endpoint", "AWS::SageMaker::EndpointConfig"]


SUBNETS = """\
Resources:
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24, AvailabilityZone: us-east-1a}
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24, AvailabilityZone: us-east-1a}
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      PrimaryContainer: {Image: 123.dkr.ecr.us-east-1.amazonaws.com/scorer:1}
      VpcConfig:
        Subnets: [!Ref SubnetA, !Ref SubnetB]
        SecurityGroupIds: [sg-1]
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: A, ModelName: !GetAtt Model.ModelName, InstanceType: ml.c5.large, InitialInstanceCount: 2}
"""


def test_model_subnets_resolve_to_zones():
    (deployment,) = _read(SUBNETS).deployments
    assert [zone.value for zone in deployment.network.zones] == ["us-east-1a", "us-east-1a"]
    outside = _read(SUBNETS.replace("[!Ref SubnetA, !Ref SubnetB]", "[subnet-123, !Ref SubnetB]")).deployments[0]
    assert outside.network.zones == ()  # one subnet is defined elsewhere: zones unknowable
    assert len(outside.network.subnets) == 2


def test_async_endpoint_with_step_scaling_alarm():
    text = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: AllTraffic, ModelName: m, InstanceType: ml.g5.xlarge, InitialInstanceCount: 1}
      AsyncInferenceConfig:
        OutputConfig:
          S3OutputPath: s3://bucket/out
          NotificationConfig: {ErrorTopic: arn:aws:sns:us-east-1:1:errors}
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointName: transcribe, EndpointConfigName: !GetAtt Config.EndpointConfigName}
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ResourceId: endpoint/transcribe/variant/AllTraffic
      MinCapacity: 0
      MaxCapacity: 4
  WakeUp:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: wake-up
      PolicyType: StepScaling
      ScalingTargetId: !Ref Target
      StepScalingPolicyConfiguration:
        AdjustmentType: ChangeInCapacity
        StepAdjustments: [{MetricIntervalLowerBound: 0, ScalingAdjustment: 1}]
  BacklogAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: HasBacklogWithoutCapacity
      Namespace: AWS/SageMaker
      ComparisonOperator: GreaterThanOrEqualToThreshold
      Threshold: 1
      EvaluationPeriods: 1
      AlarmActions: [!Ref WakeUp]
"""
    (deployment,) = _read(text).deployments
    assert deployment.kind.value is DeploymentKind.ASYNC
    assert deployment.async_config.error_topic.value == "arn:aws:sns:us-east-1:1:errors"
    assert not deployment.async_config.failure_path.known
    (policy,) = deployment.units[0].scaling[0].policies
    assert policy.policy_type.value == "StepScaling"
    assert policy.metric.value == "HasBacklogWithoutCapacity"
    assert deployment.units[0].scaling[0].min_capacity.value == 0


def test_if_on_instance_type_keeps_both_branches():
    text = """\
Parameters:
  Stage: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: A
          ModelName: m
          InstanceType: !If [IsProd, ml.m5.xlarge, ml.t2.medium]
          InitialInstanceCount: !If [IsProd, 2, 1]
"""
    (deployment,) = _read(text).deployments
    instance_type = deployment.units[0].compute.instance_type
    assert not instance_type.known
    assert instance_type.options == ("ml.m5.xlarge", "ml.t2.medium")
    assert instance_type.note == "depends on condition IsProd"
    assert deployment.units[0].count.options == (2, 1)


def test_whole_properties_under_if_does_not_crash():
    text = """\
Conditions:
  C: !Equals [a, b]
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties: !If
      - C
      - ProductionVariants: [{VariantName: A, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}]
      - !Ref AWS::NoValue
"""
    result = _read(text)
    assert len(result.deployments) == 1


def test_path_names_the_environment_when_tags_do_not():
    (deployment,) = _read(ISSUE_EXAMPLE, "deploy/model-prod.yaml").deployments
    assert deployment.environment.value is Environment.PROD
    assert deployment.environment.provenance is Provenance.INFERRED
    assert deployment.environment.note == "the path names 'prod'"


def test_managed_instance_scaling_counts_as_scaling():
    text = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker
      ProductionVariants:
        - VariantName: AllTraffic
          InstanceType: ml.g5.12xlarge
          InitialInstanceCount: 1
          ManagedInstanceScaling: {Status: ENABLED, MinInstanceCount: 1, MaxInstanceCount: 4}
        - VariantName: Off
          InstanceType: ml.g5.12xlarge
          InitialInstanceCount: 1
          ManagedInstanceScaling: {Status: DISABLED, MinInstanceCount: 1, MaxInstanceCount: 4}
"""
    (deployment,) = _read(text).deployments
    on, off = deployment.units
    (scaling,) = on.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (1, 4)
    assert scaling.linked_by == "ManagedInstanceScaling of the variant"
    assert off.scaling == ()


COMPONENT_NAMED_BY_AWS = """\
Resources:
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: llm-shared
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker
      ProductionVariants:
        - VariantName: AllTraffic
          InstanceType: ml.g5.12xlarge
          InitialInstanceCount: 2
          RoutingConfig: {RoutingStrategy: LEAST_OUTSTANDING_REQUESTS}
  Llama:
    Type: AWS::SageMaker::InferenceComponent
    Properties:
      EndpointName: !GetAtt Endpoint.EndpointName
      VariantName: AllTraffic
      Specification:
        ModelName: llama-3-8b
        ComputeResourceRequirements: {NumberOfAcceleratorDevicesRequired: 1, MinMemoryRequiredInMb: 16384}
      RuntimeConfig: {CopyCount: 2}
  LlamaTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ResourceId: RESOURCE_ID
      ScalableDimension: sagemaker:inference-component:DesiredCopyCount
      MinCapacity: 2
      MaxCapacity: 8
"""


def test_a_component_named_by_aws_is_scaled_by_a_target_naming_its_attribute():
    # No InferenceComponentName: AWS makes the name, and the target takes it from the component.
    for resource_id in ("!Sub inference-component/${Llama.InferenceComponentName}",
                        "!Join [/, [inference-component, !GetAtt Llama.InferenceComponentName]]"):
        result = _read(COMPONENT_NAMED_BY_AWS.replace("RESOURCE_ID", resource_id))
        (target,) = result.scaling_targets
        assert (target.status, target.unit_name) == ("linked", "Llama"), resource_id
        (deployment,) = result.deployments
        variant, component = deployment.units
        assert variant.scaling == ()
        assert [(scaling.min_capacity.value, scaling.max_capacity.value) for scaling in component.scaling] == [(2, 8)]
    # A name no component has stays unlinked.
    result = _read(COMPONENT_NAMED_BY_AWS.replace("RESOURCE_ID", "!Sub inference-component/${Endpoint.EndpointName}"))
    assert [target.status for target in result.scaling_targets] == ["no-such-unit"]



COMPONENT_MODEL = """\
  LlamaModel:
    Type: AWS::SageMaker::Model
    Properties:
      ModelName: llama-3-8b
      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker
      PrimaryContainer:
        Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi1.4.0-gpu-py310-cu121-ubuntu22.04
        Environment: {HF_MODEL_ID: meta-llama/Meta-Llama-3-8B-Instruct}
"""


def test_a_component_naming_a_model_resource_serves_that_models_containers():
    """A component naming a model of the template (`!GetAtt LlamaModel.ModelName`, or its declared name) serves the
    model's containers, as the same component does in API documents and ACK: its image and environment are judged
    (EP007 here), where only the name was read before."""
    base = COMPONENT_NAMED_BY_AWS.replace("RESOURCE_ID", "!Sub inference-component/${Llama.InferenceComponentName}") + COMPONENT_MODEL
    for model_name in ("!GetAtt LlamaModel.ModelName", "llama-3-8b"):
        text = base.replace("        ModelName: llama-3-8b\n        ComputeResourceRequirements", f"        ModelName: {model_name}\n        ComputeResourceRequirements")
        result = lint_text(text, "stack.yaml", LintOptions())
        (deployment,) = result.deployments
        assert [str(model.image.value) for model in deployment.models] == [
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi1.4.0-gpu-py310-cu121-ubuntu22.04"
        ], model_name
        assert deployment.units[1].model_names == ("llama-3-8b",)
        assert "AWS::SageMaker::Model" in [link.kind for link in deployment.links]
        assert sorted(finding.rule_id for finding in result.findings) == ["AS007", "EP007"], model_name  # AS007: no policy


DATA_CAPTURE_AND_VPC = """\
Parameters:
  Capture: {Type: String}
  Stage: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Unresolved:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: A, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}
      DataCaptureConfig:
        EnableCapture: !Ref Capture
        InitialSamplingPercentage: 10
        DestinationS3Uri: s3://bucket/capture/
        CaptureOptions: [{CaptureMode: Input}]
  Unwritten:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: A, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}
      DataCaptureConfig:
        InitialSamplingPercentage: 10
        DestinationS3Uri: s3://bucket/capture/
        CaptureOptions: [{CaptureMode: Input}]
  Conditional:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: A
          ModelName: m
          ServerlessConfig: {"Fn::If": [IsProd, !Ref "AWS::NoValue", {MemorySizeInMB: 2048, MaxConcurrency: 5}]}
          InstanceType: !Ref AWS::NoValue
      DataCaptureConfig: {"Fn::If": [IsProd, {EnableCapture: true}, !Ref "AWS::NoValue"]}
      VpcConfig: !If [IsProd, {Subnets: [subnet-1], SecurityGroupIds: [sg-1]}, !Ref AWS::NoValue]
"""


def test_data_capture_is_the_default_only_when_enable_capture_is_not_written():
    by_id = {item.id.rsplit("#", 1)[-1]: item for item in _read(DATA_CAPTURE_AND_VPC).deployments}
    unresolved = by_id["Unresolved"].data_capture
    assert not unresolved.known and unresolved.note == "Ref:Capture is not known"
    unwritten = by_id["Unwritten"].data_capture
    assert unwritten.value is True and unwritten.provenance is Provenance.DEFAULT
    assert not by_id["Conditional"].data_capture.known


def test_blocks_an_intrinsic_builds_and_no_value_properties_are_not_claimed():
    (deployment,) = [item for item in _read(DATA_CAPTURE_AND_VPC).deployments if item.id.endswith("#Conditional")]
    (unit,) = deployment.units
    assert unit.serverless is None, "a ServerlessConfig under an undecided Fn::If is not claimed"
    assert unit.compute.instance_type.span is None, "Ref AWS::NoValue removes the property"
    assert deployment.network is None, "a VpcConfig under an undecided Fn::If is not claimed"


MONITORED = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: A, ModelName: m, ServerlessConfig: {MemorySizeInMB: 2048, MaxConcurrency: 5}}
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: scorer
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Other:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Quality:
    Type: AWS::SageMaker::DataQualityJobDefinition
    Properties:
      JobDefinitionName: scorer-quality
      DataQualityJobInput:
        EndpointInput:
          EndpointName: !GetAtt Endpoint.EndpointName
          LocalPath: /opt/ml/processing/input
  Schedule:
    Type: AWS::SageMaker::MonitoringSchedule
    Properties:
      MonitoringScheduleName: scorer-quality-hourly
      MonitoringScheduleConfig:
        MonitoringJobDefinitionName: !GetAtt Quality.JobDefinitionName
        MonitoringType: DataQuality
        ScheduleConfig: {ScheduleExpression: "cron(0 * ? * * *)"}
"""


def test_a_monitoring_schedule_is_linked_through_its_job_definition():
    by_id = {item.id.rsplit("#", 1)[-1]: item for item in _read(MONITORED).deployments}
    monitor = by_id["Endpoint"].monitored_by
    assert monitor.value == "scorer-quality-hourly"
    assert monitor.span is not None and monitor.span.line == 22  # the job definition's EndpointName
    assert ("AWS::SageMaker::MonitoringSchedule", "Schedule") in {(link.kind, link.name) for link in by_id["Endpoint"].links}
    assert not by_id["Other"].monitored_by.known


# Drift fixed when the template's variant and policy readers were folded into the shared AWS readers:
# a written InstanceType that cannot be resolved stays unknown (InstancePools are read only when no
# InstanceType is written), and a metric-math policy keeps its query's namespace, as in API documents and ACK.
POOLS_AND_UNRESOLVED_TYPE = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: Pooled
          ModelName: m
          InstancePools:
            - {InstanceType: ml.g5.xlarge, Priority: 1}
        - VariantName: Written
          ModelName: m
          InstanceType: !GetAtt Elsewhere.InstanceType
          InstancePools:
            - {InstanceType: ml.g5.xlarge, Priority: 1}
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ResourceId: endpoint/Config/variant/Pooled
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      MinCapacity: 1
      MaxCapacity: 2
  Policy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: math
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref Target
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 5
        CustomizedMetricSpecification:
          Metrics:
            - Id: backlog
              MetricStat:
                Metric: {MetricName: ApproximateBacklogSizePerInstance, Namespace: AWS/SageMaker}
                Stat: Average
              ReturnData: true
"""


def test_instance_pools_only_when_no_instance_type_is_written():
    result = _read(POOLS_AND_UNRESOLVED_TYPE)
    (deployment,) = result.deployments
    pooled, written = deployment.units
    assert pooled.compute.instance_type.value == "ml.g5.xlarge"
    assert not written.compute.instance_type.known
    assert "Elsewhere.InstanceType" in written.compute.instance_type.note


def test_metric_math_policy_keeps_the_query_namespace():
    result = _read(POOLS_AND_UNRESOLVED_TYPE)
    (target,) = result.scaling_targets
    (policy,) = target.scaling.policies
    assert policy.metric.value == "ApproximateBacklogSizePerInstance"
    assert policy.metric_namespace.value == "AWS/SageMaker"


def _hosting_stack(endpoints: int) -> str:
    """A template of `endpoints` × 6 resources that name one another by name, triple, reference and alarm action."""
    block = """\
  Model{n}:
    Type: AWS::SageMaker::Model
    Properties:
      ModelName: model-{n}
      PrimaryContainer:
        Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
  Config{n}:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      EndpointConfigName: config-{n}
      ProductionVariants:
        - {{VariantName: AllTraffic, ModelName: model-{n}, InstanceType: ml.m5.large, InitialInstanceCount: 2}}
  Endpoint{n}:
    Type: AWS::SageMaker::Endpoint
    Properties: {{EndpointName: scorer-{n}, EndpointConfigName: config-{n}}}
  Target{n}:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ResourceId: endpoint/scorer-{n}/variant/AllTraffic
      MinCapacity: 2
      MaxCapacity: {maximum}
  Policy{n}:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: step-{n}
      PolicyType: StepScaling
      ServiceNamespace: sagemaker
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ResourceId: endpoint/scorer-{n}/variant/AllTraffic
      StepScalingPolicyConfiguration:
        AdjustmentType: ChangeInCapacity
        StepAdjustments: [{{MetricIntervalLowerBound: 0, ScalingAdjustment: 1}}]
  Alarm{n}:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: Backlog{n}
      Namespace: AWS/SageMaker
      ComparisonOperator: GreaterThanOrEqualToThreshold
      Threshold: 1
      EvaluationPeriods: 1
      AlarmActions: [!Ref Policy{n}]
"""
    return "Resources:\n" + "".join(block.format(n=n, maximum=n + 3) for n in range(endpoints))


def test_five_thousand_resources_link_each_endpoint_to_its_own_records():
    # Records are found by name, by ResourceId triple and by alarm action
    # through indexes built once per template (bench/bench.py times it); a
    # wrong index would link an endpoint to a neighbour's records.
    started = time.process_time()
    # No per-file time limit: on a busy machine it would cut the template short.
    result = lint_text(_hosting_stack(834), "stack.yaml", replace(ONLY_CORE, file_timeout=None))
    assert time.process_time() - started < 120  # a hang guard, not a budget
    assert len(result.deployments) == 834
    assert {target.status for target in result.scaling_targets} == {"linked"}
    for n in (0, 417, 833):
        deployment = next(item for item in result.deployments if item.name.value == f"scorer-{n}")
        assert [link.name for link in deployment.links][:3] == [f"Endpoint{n}", f"Config{n}", f"Model{n}"]
        (unit,) = deployment.units
        assert unit.model_names == (f"model-{n}",)
        (scaling,) = unit.scaling
        assert scaling.max_capacity.value == n + 3
        (policy,) = scaling.policies
        assert policy.metric.value == f"Backlog{n}"
