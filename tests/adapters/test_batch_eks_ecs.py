"""AWS Batch, EKS node groups and ECS read from CloudFormation into the model."""

from __future__ import annotations

import pytest

from linter import UNKNOWN, Capacity, DeploymentKind, Provenance
from linter.api import lint_text
from linter.engine import LintOptions
from linter.rules import RuleSelector

ONLY_CORE = LintOptions(selector=RuleSelector(("MD",)))


def _read(text: str, path: str = "template.yaml"):
    result = lint_text(text, path, ONLY_CORE)
    assert [finding.message for finding in result.findings] == []
    return result


def _by_name(result) -> dict:
    return {deployment.id.rsplit("#", 1)[-1]: deployment for deployment in result.deployments}


def _capacity(result, logical_id: str):
    return _by_name(result)[logical_id].units[0].capacity


# --- AWS Batch -----------------------------------------------------------------------

BATCH_ENVIRONMENT = """\
Resources:
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources:
        Type: {type}
        MaxvCpus: 16
        Subnets: [subnet-1]
"""


@pytest.mark.parametrize(
    "written, capacity",
    [
        ("EC2", Capacity.ON_DEMAND),
        ("SPOT", Capacity.SPOT),
        ("FARGATE", Capacity.ON_DEMAND),
        ("FARGATE_SPOT", Capacity.SPOT),
        ("spot", Capacity.SPOT),
        ("fargate_spot", Capacity.SPOT),
        ("Ec2", Capacity.ON_DEMAND),
    ],
)
def test_batch_compute_type_maps_to_capacity_whatever_its_case(written, capacity):
    result = _read(BATCH_ENVIRONMENT.format(type=written))
    (deployment,) = result.deployments
    assert deployment.platform == "batch"
    assert deployment.kind.value is DeploymentKind.JOB
    unit_capacity = deployment.units[0].capacity
    assert unit_capacity.value is capacity
    assert unit_capacity.provenance is Provenance.DECLARED
    assert unit_capacity.span.line == 7  # the Type line
    assert deployment.attribute("compute_type").value == written


def test_batch_unknown_compute_type_is_malformed_not_guessed():
    result = _read(BATCH_ENVIRONMENT.format(type="SPOTTY"))
    capacity = result.deployments[0].units[0].capacity
    assert capacity.value is UNKNOWN
    assert capacity.raw == "SPOTTY"


def test_batch_unresolved_ref_capacity_is_unknown():
    text = "Parameters:\n  CapacityType: {Type: String}\n" + BATCH_ENVIRONMENT.format(type="!Ref CapacityType")
    capacity = _read(text).deployments[0].units[0].capacity
    assert capacity.value is UNKNOWN
    assert "CapacityType" in capacity.note


def test_batch_parameter_default_capacity_is_resolved():
    text = "Parameters:\n  CapacityType: {Type: String, Default: SPOT}\n" + BATCH_ENVIRONMENT.format(type="!Ref CapacityType")
    capacity = _read(text).deployments[0].units[0].capacity
    assert capacity.value is Capacity.SPOT
    assert "resolved from Ref" in capacity.note


def test_batch_undecidable_condition_keeps_both_capacities():
    text = (
        "Parameters:\n  UseSpot: {Type: String}\nConditions:\n  Spot: !Equals [!Ref UseSpot, 'yes']\n"
        + BATCH_ENVIRONMENT.format(type="!If [Spot, SPOT, EC2]")
    )
    capacity = _read(text).deployments[0].units[0].capacity
    assert capacity.value is UNKNOWN
    assert set(capacity.options) == {Capacity.SPOT, Capacity.ON_DEMAND}


BATCH_QUEUE = """\
Resources:
  SpotEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      ComputeEnvironmentName: cpu-spot
      ComputeResources:
        Type: SPOT
        InstanceTypes: [c5.large, m5.large]
        AllocationStrategy: SPOT_CAPACITY_OPTIMIZED
        MinvCpus: 0
        MaxvCpus: 64
        DesiredvCpus: 4
        Subnets: [!Ref SubnetA, !Ref SubnetB]
  OnDemandEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      ComputeEnvironmentName: cpu-on-demand
      ComputeResources:
        Type: EC2
        InstanceTypes: [optimal]
        MaxvCpus: 16
        Subnets: [!Ref SubnetA]
  LonelyEnvironment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      ComputeResources:
        Type: EC2
        InstanceTypes: [c5.large]
        MaxvCpus: 16
        Subnets: [subnet-elsewhere]
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24, AvailabilityZone: us-east-1a}
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24, AvailabilityZone: us-east-1b}
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - Order: 1
          ComputeEnvironment: !GetAtt SpotEnvironment.ComputeEnvironmentArn
        - Order: 2
          ComputeEnvironment: !Sub arn:aws:batch:${AWS::Region}:${AWS::AccountId}:compute-environment/cpu-on-demand
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
        ResourceRequirements:
          - {Type: GPU, Value: "2"}
  OtherJob:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: busybox
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets:
        - Id: batch
          Arn: !Ref Queue
          RoleArn: arn:aws:iam::123456789012:role/events
          BatchParameters:
            JobDefinition: !Ref Job
            JobName: nightly
"""


def test_batch_queue_mixing_spot_and_on_demand_makes_the_work_mixed():
    deployments = _by_name(_read(BATCH_QUEUE))
    for logical_id, own in (("SpotEnvironment", "SPOT"), ("OnDemandEnvironment", "EC2")):
        capacity = deployments[logical_id].units[0].capacity
        assert capacity.value is Capacity.MIXED
        assert capacity.provenance is Provenance.INFERRED
        assert "Queue" in capacity.note
        assert deployments[logical_id].attribute("compute_type").value == own
    assert deployments["LonelyEnvironment"].units[0].capacity.value is Capacity.ON_DEMAND


def test_batch_environment_reads_instance_types_vcpus_and_zones():
    spot = _by_name(_read(BATCH_QUEUE))["SpotEnvironment"]
    unit = spot.units[0]
    assert unit.compute.instance_type.value == "c5.large"
    assert spot.attribute("instance_types").value == ("c5.large", "m5.large")
    assert spot.attribute("allocation_strategy").value == "SPOT_CAPACITY_OPTIMIZED"
    assert (spot.attribute("min_vcpus").value, spot.attribute("max_vcpus").value, spot.attribute("desired_vcpus").value) == (0, 64, 4)
    assert unit.count.value is UNKNOWN and "vCPUs" in unit.count.note
    assert [subnet.value for subnet in spot.network.subnets] == ["SubnetA", "SubnetB"]
    assert [zone.value for zone in spot.network.zones] == ["us-east-1a", "us-east-1b"]
    lonely = _by_name(_read(BATCH_QUEUE))["LonelyEnvironment"]
    assert lonely.network.subnets[0].value == "subnet-elsewhere" and lonely.network.zones == ()


def test_batch_optimal_instance_type_has_no_accelerator():
    compute = _by_name(_read(BATCH_QUEUE))["OnDemandEnvironment"].units[0].compute
    assert compute.instance_type.value == "optimal"
    assert compute.accelerator.value == "none"
    assert compute.accelerator.provenance is Provenance.INFERRED


def test_batch_job_definition_submitted_to_the_queue_gives_models_and_gpus():
    spot = _by_name(_read(BATCH_QUEUE))["SpotEnvironment"]
    assert [model.image.value for model in spot.models] == [
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    ]
    assert spot.units[0].model_names == ("Job",)
    links = [(link.kind, link.name) for link in spot.links]
    assert ("AWS::Batch::JobQueue", "Queue") in links
    assert ("AWS::Batch::JobDefinition", "Job") in links
    assert ("AWS::Events::Rule", "Nightly") in links
    # the unlinked job definition is kept in the links only
    assert ("AWS::Batch::JobDefinition", "OtherJob") in links
    assert all(model.image.value != "busybox" for model in spot.models)


def test_batch_job_definition_gpu_stands_for_the_accelerator_only_when_instances_do_not_say():
    text = BATCH_QUEUE.replace("InstanceTypes: [c5.large, m5.large]", "InstanceTypes: [!Ref Types]")
    text = "Parameters:\n  Types: {Type: String}\n" + text
    accelerator = _by_name(_read(text))["SpotEnvironment"].units[0].compute.accelerator
    assert accelerator.value == "gpu"
    assert "Job" in accelerator.note and accelerator.provenance is Provenance.INFERRED


def test_batch_job_gpus_are_kept_when_the_instance_types_say_otherwise():
    spot = _by_name(_read(BATCH_QUEUE))["SpotEnvironment"]
    assert spot.units[0].compute.accelerator.value == "none"  # c5.large
    job_gpus = spot.attribute("job_gpus")
    assert job_gpus.value == 2 and "Job" in job_gpus.note


@pytest.mark.parametrize(
    "types, accelerator, count",
    [
        ("[g5.2xlarge]", "gpu", 1),
        ("[g4dn]", "gpu", UNKNOWN),  # a bare family: the size AWS Batch picks decides the count
        ("[m5, c5]", "none", 0),
        ("[c5.large, g5.xlarge]", UNKNOWN, UNKNOWN),  # types disagree: not guessed
        ("[g5.xlarge, g5.12xlarge]", "gpu", UNKNOWN),
    ],
)
def test_batch_accelerator_from_the_instance_type_tables(types, accelerator, count):
    text = BATCH_ENVIRONMENT.format(type="EC2").replace("MaxvCpus: 16", f"MaxvCpus: 16\n        InstanceTypes: {types}")
    compute = _read(text).deployments[0].units[0].compute
    assert (compute.accelerator.value, compute.accelerator_count.value) == (accelerator, count)


@pytest.mark.parametrize(
    "submitter",
    [
        """\
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::1:role/sfn
      DefinitionString: !Sub '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::batch:submitJob.sync","Parameters":{"JobQueue":"${Queue}","JobDefinition":"${Job}","JobName":"a"},"End":true}}}'
""",
        """\
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine.asl.json
      DefinitionSubstitutions:
        jobQueueArn: !Ref Queue
        jobDefinitionArn: !Ref Job
""",
        """\
  Submitter:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::1:role/fn
      Code: {ZipFile: "pass"}
      Environment:
        Variables:
          JOB_QUEUE: !Ref Queue
          JOB_DEFINITION: !Ref Job
""",
    ],
    ids=["state-machine", "sam-state-machine", "function"],
)
def test_batch_job_definition_linked_through_whatever_submits_it(submitter):
    text = BATCH_QUEUE.split("  Nightly:")[0] + submitter
    spot = _by_name(_read(text))["SpotEnvironment"]
    assert spot.units[0].model_names == ("Job",)


def test_batch_job_definition_without_a_submitter_stays_in_the_links_only():
    text = BATCH_QUEUE.split("  Nightly:")[0]
    spot = _by_name(_read(text))["SpotEnvironment"]
    assert spot.models == ()
    assert {"Job", "OtherJob"} <= {link.name for link in spot.links if link.kind == "AWS::Batch::JobDefinition"}


def test_batch_queue_with_no_environment_in_the_template_is_a_deployment():
    text = """\
Resources:
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - {Order: 1, ComputeEnvironment: shared-gpu}
"""
    (deployment,) = _read(text).deployments
    assert deployment.id.endswith("#Queue")
    assert deployment.kind.value is DeploymentKind.JOB
    assert deployment.units[0].capacity.value is UNKNOWN
    assert "shared-gpu" in deployment.units[0].capacity.note


def test_batch_fargate_environment_has_no_instance_type_and_no_gpu():
    unit = _read(BATCH_ENVIRONMENT.format(type="FARGATE_SPOT")).deployments[0].units[0]
    assert unit.compute.instance_type.value is UNKNOWN
    assert unit.compute.accelerator.value == "none"


def test_batch_unmanaged_environment_has_unknown_capacity():
    text = """\
Resources:
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: UNMANAGED
"""
    capacity = _read(text).deployments[0].units[0].capacity
    assert capacity.value is UNKNOWN and "UNMANAGED" in capacity.note


# --- EKS node groups -------------------------------------------------------------------

NODEGROUP = """\
Resources:
  Nodes:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: ml
      NodeRole: arn:aws:iam::123456789012:role/node
      Subnets: [subnet-1]
{extra}
"""


@pytest.mark.parametrize(
    "written, capacity",
    [
        ("ON_DEMAND", Capacity.ON_DEMAND),
        ("SPOT", Capacity.SPOT),
        ("CAPACITY_BLOCK", Capacity.RESERVED),
    ],
)
def test_nodegroup_capacity_type(written, capacity):
    (deployment,) = _read(NODEGROUP.format(extra=f"      CapacityType: {written}")).deployments
    assert deployment.platform == "eks-nodegroup"
    assert deployment.units[0].capacity.value is capacity
    assert deployment.units[0].capacity.provenance is Provenance.DECLARED


def test_nodegroup_capacity_type_is_case_sensitive_unlike_batch():
    capacity = _read(NODEGROUP.format(extra="      CapacityType: spot")).deployments[0].units[0].capacity
    assert capacity.value is UNKNOWN and capacity.raw == "spot"


def test_nodegroup_without_capacity_type_defaults_to_on_demand_and_t3_medium():
    (deployment,) = _read(NODEGROUP.format(extra="")).deployments
    unit = deployment.units[0]
    assert unit.capacity.value is Capacity.ON_DEMAND and unit.capacity.provenance is Provenance.DEFAULT
    assert unit.compute.instance_type.value == "t3.medium"
    assert unit.compute.instance_type.provenance is Provenance.DEFAULT


def test_nodegroup_kind_is_unknown_with_a_reason():
    (deployment,) = _read(NODEGROUP.format(extra="")).deployments
    assert deployment.kind.value is UNKNOWN
    assert "capacity, not a workload" in deployment.kind.note


def test_nodegroup_unresolved_capacity_type_is_unknown():
    text = "Parameters:\n  CapacityType: {Type: String}\n" + NODEGROUP.format(extra="      CapacityType: !Ref CapacityType")
    capacity = _read(text).deployments[0].units[0].capacity
    assert capacity.value is UNKNOWN
    assert "CapacityType" in capacity.note


def test_nodegroup_gpu_ami_gives_the_accelerator_when_instance_types_do_not():
    extra = "      AmiType: AL2023_x86_64_NVIDIA\n      InstanceTypes: [!Ref Types]"
    text = "Parameters:\n  Types: {Type: String}\n" + NODEGROUP.format(extra=extra)
    accelerator = _read(text).deployments[0].units[0].compute.accelerator
    assert accelerator.value == "gpu"
    assert "AL2023_x86_64_NVIDIA" in accelerator.note


def test_nodegroup_neuron_ami_leaves_inferentia_or_trainium_open():
    extra = "      AmiType: AL2023_x86_64_NEURON\n      InstanceTypes: [!Ref Types]"
    text = "Parameters:\n  Types: {Type: String}\n" + NODEGROUP.format(extra=extra)
    accelerator = _read(text).deployments[0].units[0].compute.accelerator
    assert accelerator.value is UNKNOWN
    assert set(accelerator.options) == {"inferentia", "trainium"}


def test_nodegroup_scaling_labels_and_taints():
    extra = """\
      InstanceTypes: [g5.xlarge, g5.2xlarge]
      ScalingConfig: {MinSize: 1, DesiredSize: 2, MaxSize: 5}
      Labels:
        workload: batch
      Taints:
        - {Key: nvidia.com/gpu, Value: "true", Effect: NO_SCHEDULE}"""
    deployment = _read(NODEGROUP.format(extra=extra)).deployments[0]
    unit = deployment.units[0]
    assert unit.compute.instance_type.value == "g5.xlarge"
    assert deployment.attribute("instance_types").value == ("g5.xlarge", "g5.2xlarge")
    assert unit.count.value == 2
    (scaling,) = unit.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value, scaling.linked_by) == (1, 5, "ScalingConfig")
    assert deployment.attribute("labels").value == (("workload", "batch"),)
    assert deployment.attribute("taints").value == (("nvidia.com/gpu", "true", "NO_SCHEDULE"),)


def test_nodegroup_instance_type_from_its_launch_template():
    text = """\
Resources:
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {InstanceType: p4d.24xlarge}
  Nodes:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: ml
      NodeRole: arn:aws:iam::123456789012:role/node
      Subnets: [subnet-1]
      LaunchTemplate: {Id: !Ref Template}
"""
    deployment = _read(text).deployments[0]
    instance_type = deployment.units[0].compute.instance_type
    assert instance_type.value == "p4d.24xlarge" and "Template" in instance_type.note
    assert ("AWS::EC2::LaunchTemplate", "Template") in [(link.kind, link.name) for link in deployment.links]


# --- ECS -------------------------------------------------------------------------------

ECS_SERVICE = """\
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: scorer
      RequiresCompatibilities: [FARGATE]
      Cpu: "1024"
      Memory: "2048"
      ContainerDefinitions:
        - Name: model
          Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
  Service:
    Type: AWS::ECS::Service
    Properties:
      ServiceName: scorer
      TaskDefinition: !Ref Task
      DesiredCount: 4
{extra}
"""


def _strategy(*providers: str) -> str:
    items = "".join(f"        - {{CapacityProvider: {provider}, Weight: 1}}\n" for provider in providers)
    return "      CapacityProviderStrategy:\n" + items.rstrip("\n")


@pytest.mark.parametrize(
    "extra, capacity",
    [
        (_strategy("FARGATE"), Capacity.ON_DEMAND),
        (_strategy("FARGATE_SPOT"), Capacity.SPOT),
        (_strategy("FARGATE", "FARGATE_SPOT"), Capacity.MIXED),
        ("      LaunchType: FARGATE", Capacity.ON_DEMAND),
    ],
)
def test_ecs_service_capacity(extra, capacity):
    (deployment,) = _read(ECS_SERVICE.format(extra=extra)).deployments
    assert deployment.platform == "ecs"
    assert deployment.kind.value is DeploymentKind.SERVICE
    unit = deployment.units[0]
    assert unit.capacity.value is capacity
    assert unit.count.value == 4
    assert [model.image.value for model in deployment.models] == [
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    ]
    assert ("AWS::ECS::TaskDefinition", "Task") in [(link.kind, link.name) for link in deployment.links]


def test_ecs_provider_with_zero_weight_and_no_base_takes_no_tasks():
    extra = """\
      CapacityProviderStrategy:
        - {CapacityProvider: FARGATE, Weight: 0}
        - {CapacityProvider: FARGATE_SPOT, Weight: 1}"""
    assert _read(ECS_SERVICE.format(extra=extra)).deployments[0].units[0].capacity.value is Capacity.SPOT


def test_ecs_ec2_launch_type_and_unknown_provider_are_unknown():
    unit = _read(ECS_SERVICE.format(extra="      LaunchType: EC2")).deployments[0].units[0]
    assert unit.capacity.value is UNKNOWN and "EC2" in unit.capacity.note
    unit = _read(ECS_SERVICE.format(extra=_strategy("my-asg-provider"))).deployments[0].units[0]
    assert unit.capacity.value is UNKNOWN and "my-asg-provider" in unit.capacity.note


def test_ecs_cluster_default_strategy_decides_when_the_service_does_not():
    text = ECS_SERVICE.format(extra="      Cluster: !Ref Cluster") + """\
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      DefaultCapacityProviderStrategy:
        - {CapacityProvider: FARGATE_SPOT, Weight: 1}
"""
    capacity = _read(text).deployments[0].units[0].capacity
    assert capacity.value is Capacity.SPOT
    assert "default strategy of Cluster" in capacity.note


def test_ecs_auto_scaling_group_provider_says_spot():
    text = ECS_SERVICE.format(extra=_strategy("!Ref Provider")) + """\
  Provider:
    Type: AWS::ECS::CapacityProvider
    Properties:
      AutoScalingGroupProvider: {AutoScalingGroupArn: !Ref Group}
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "0"
      MaxSize: "4"
      MixedInstancesPolicy:
        LaunchTemplate:
          LaunchTemplateSpecification: {LaunchTemplateId: lt-1, Version: "1"}
          Overrides: [{InstanceType: g5.xlarge}]
        InstancesDistribution: {OnDemandPercentageAboveBaseCapacity: 0}
"""
    unit = _read(text).deployments[0].units[0]
    assert unit.capacity.value is Capacity.SPOT
    assert unit.capacity.provenance is Provenance.INFERRED
    assert unit.compute.instance_type.value == "g5.xlarge"


def test_ecs_gpu_resource_requirements_give_the_accelerator():
    text = ECS_SERVICE.format(extra="      LaunchType: EC2").replace(
        "          Image: 683313688378",
        '          ResourceRequirements: [{Type: GPU, Value: "1"}]\n          Image: 683313688378',
    ).replace("[FARGATE]", "[EC2]")
    compute = _read(text).deployments[0].units[0].compute
    assert compute.accelerator.value == "gpu"
    assert compute.accelerator.provenance is Provenance.DECLARED
    assert compute.accelerator_count.value == 1


def test_ecs_fargate_task_without_gpu_has_none():
    compute = _read(ECS_SERVICE.format(extra="")).deployments[0].units[0].compute
    assert compute.accelerator.value == "none"


def test_ecs_desired_count_defaults_to_one():
    text = ECS_SERVICE.format(extra="").replace("      DesiredCount: 4\n", "")
    count = _read(text).deployments[0].units[0].count
    assert count.value == 1 and count.provenance is Provenance.DEFAULT


def test_ecs_scalable_target_links_to_the_service():
    text = ECS_SERVICE.format(extra="      Cluster: !Ref Cluster") + """\
  Cluster:
    Type: AWS::ECS::Cluster
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: ecs
      ScalableDimension: ecs:service:DesiredCount
      ResourceId: !Join [/, [service, !Ref Cluster, !GetAtt Service.Name]]
      MinCapacity: 2
      MaxCapacity: 8
  Policy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: cpu
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref Target
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 50
        PredefinedMetricSpecification: {PredefinedMetricType: ECSServiceAverageCPUUtilization}
  OtherTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: ecs
      ScalableDimension: ecs:service:DesiredCount
      ResourceId: service/other-cluster/other-service
      MinCapacity: 1
      MaxCapacity: 2
"""
    unit = _read(text).deployments[0].units[0]
    (scaling,) = unit.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 8)
    assert scaling.linked_by == "ResourceId of Target"
    assert [policy.metric.value for policy in scaling.policies] == ["ECSServiceAverageCPUUtilization"]


def test_ecs_scalable_target_by_declared_service_name():
    text = ECS_SERVICE.format(extra="") + """\
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: ecs
      ScalableDimension: ecs:service:DesiredCount
      ResourceId: service/default/scorer
      MinCapacity: 3
      MaxCapacity: 3
"""
    assert [scaling.min_capacity.value for scaling in _read(text).deployments[0].units[0].scaling] == [3]


def test_ecs_task_definition_run_by_a_schedule_is_a_job():
    text = ECS_SERVICE.format(extra="").split("  Service:")[0] + """\
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 hour)
      Targets:
        - Id: task
          Arn: arn:aws:ecs:us-east-1:123456789012:cluster/jobs
          EcsParameters:
            TaskDefinitionArn: !Ref Task
            TaskCount: 3
            LaunchType: FARGATE
"""
    (deployment,) = _read(text).deployments
    assert deployment.kind.value is DeploymentKind.JOB
    assert "Rule" in deployment.kind.note
    assert deployment.units[0].capacity.value is Capacity.ON_DEMAND
    assert deployment.units[0].count.value == 3


def test_ecs_task_definition_nothing_runs_has_unknown_kind():
    text = ECS_SERVICE.format(extra="").split("  Service:")[0]
    (deployment,) = _read(text).deployments
    assert deployment.kind.value is UNKNOWN and deployment.kind.note
    assert deployment.units[0].capacity.value is UNKNOWN


def test_ecs_task_definition_used_by_a_service_is_not_a_deployment_of_its_own():
    deployments = _read(ECS_SERVICE.format(extra="")).deployments
    assert [deployment.id.rsplit("#", 1)[-1] for deployment in deployments] == ["Service"]


def test_ecs_service_names_its_task_definition_by_family_and_revision():
    text = ECS_SERVICE.format(extra="").replace("TaskDefinition: !Ref Task", "TaskDefinition: arn:aws:ecs:us-east-1:1:task-definition/scorer:7")
    deployments = _read(text).deployments
    assert len(deployments) == 1
    assert deployments[0].models[0].name.value == "model"


# --- conditions and malformed input --------------------------------------------------------


@pytest.mark.parametrize("resource_type", ["AWS::Batch::ComputeEnvironment", "AWS::EKS::Nodegroup", "AWS::ECS::Service", "AWS::ECS::TaskDefinition", "AWS::Batch::JobQueue"])
def test_whole_properties_under_an_undecidable_if_do_not_crash(resource_type):
    text = f"""\
Parameters:
  Flag: {{Type: String}}
Conditions:
  On: !Equals [!Ref Flag, "on"]
Resources:
  Thing:
    Type: {resource_type}
    Properties: !If
      - On
      - {{}}
      - !Ref AWS::NoValue
"""
    result = _read(text)
    for deployment in result.deployments:
        assert deployment.units[0].capacity.value is UNKNOWN


def test_whole_properties_under_a_decidable_if_are_read():
    text = """\
Parameters:
  Flag: {Type: String, Default: "on"}
Conditions:
  On: !Equals [!Ref Flag, "on"]
Resources:
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Fn::If:
        - On
        - ComputeResources: {Type: SPOT, MaxvCpus: 4, Subnets: [subnet-1]}
        - ComputeResources: {Type: EC2, MaxvCpus: 4, Subnets: [subnet-1]}
"""
    assert _read(text).deployments[0].units[0].capacity.value is Capacity.SPOT


@pytest.mark.parametrize(
    "body",
    [
        "Properties: {ComputeResources: [not, a, mapping]}",
        "Properties: {ComputeResources: {Type: [EC2], InstanceTypes: {a: b}, Subnets: 3}}",
        "Properties: {ComputeResources: {Type: !Ref AWS::NoValue, InstanceTypes: !Split [',', !ImportValue types]}}",
        "Properties: 42",
    ],
)
def test_malformed_batch_environments_do_not_crash(body):
    text = f"Resources:\n  Environment:\n    Type: AWS::Batch::ComputeEnvironment\n    {body}\n"
    (deployment,) = _read(text).deployments
    assert deployment.units[0].capacity.value is UNKNOWN


@pytest.mark.parametrize(
    "body",
    [
        "Properties: {TaskDefinition: !Ref Missing, CapacityProviderStrategy: [{CapacityProvider: !Ref Missing}]}",
        "Properties: {CapacityProviderStrategy: 7, LaunchType: [FARGATE], DesiredCount: many}",
        "Properties: {NetworkConfiguration: {AwsvpcConfiguration: {Subnets: !If [X, [a], [b]]}}}",
    ],
)
def test_malformed_ecs_services_do_not_crash(body):
    text = f"Resources:\n  Service:\n    Type: AWS::ECS::Service\n    {body}\n"
    result = lint_text(text, "template.yaml", ONLY_CORE)
    assert not [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert len(result.deployments) == 1


# --- ECS scalable targets as hosting.py reports them ---------------------------------------


def _targets(text: str):
    from linter import load_text
    from plugins.adapters.cloudformation.context import TemplateContext
    from plugins.adapters.cloudformation.resources.application_autoscaling import target_record

    template = TemplateContext.of(load_text("template.yaml", text).documents[0])
    records = [
        target_record(resource.logical_id, resource.properties, template, resource.key_span)
        for resource in template.resources.values()
        if resource.type == "AWS::ApplicationAutoScaling::ScalableTarget"
    ]
    return template, records


@pytest.mark.parametrize(
    "resource_id, status",
    [
        ("!Sub service/${Cluster}/${Service.Name}", "linked"),
        # A cluster this template runs no service in: a service of that name may be made elsewhere.
        ("service/default/scorer", "not-in-run"),  # the template's scorer runs in cluster "scoring"
        ("service/scoring/scorer", "linked"),
        ("!Sub service/${Cluster}/scorer", "linked"),
        ("service/prod/other", "not-in-run"),
        ("service/scoring/scorrer", "no-such-deployment"),  # beside the cluster's services: a misspelling
        ("!Sub service/${Cluster}/${Unknown}", "unresolved"),
        ("!Ref Anything", "unresolved"),
    ],
)
def test_ecs_target_status_for_the_scaling_target_report(resource_id, status):
    from plugins.adapters.cloudformation.ecs_scaling import ecs_target_status

    text = ECS_SERVICE.format(extra="      Cluster: !Ref Cluster") + f"""\
  Cluster:
    Type: AWS::ECS::Cluster
    Properties: {{ClusterName: scoring}}
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: ecs
      ScalableDimension: ecs:service:DesiredCount
      ResourceId: {resource_id}
      MinCapacity: 1
      MaxCapacity: 2
"""
    template, (record,) = _targets("Parameters:\n  Unknown: {Type: String}\n  Anything: {Type: String}\n" + text)
    found, reason, deployment_id, unit = ecs_target_status(record, template)
    assert found == status, reason
    if status == "linked":
        assert deployment_id == "template.yaml#Service" and unit == "scorer"
