"""Long hostile values cost time linear in their length: the "did you mean" searches among names and types.

AS002 looks for a near-miss of a missing autoscaler target among the
workloads of its namespace, and the Kubernetes adapter does the same to
choose context files; CP005 looks for the valid instance type an unknown
one misspells. A pull request chooses both sides: thousands of
253-character names that differ from the one sought by a few edits (or are
its anagrams, which pass every cheaper test), and an instance type
megabytes long. Each case took tens of seconds before (a whole edit table
per name, difflib's full matching per valid type); each bound below is
several times what it takes now and a fraction of what it took.

The same goes where every object of one kind meets every object of
another: thousands of PodDisruptionBudgets selecting the pods of thousands
of workloads, thousands of endpoints naming one configuration of thousands
of variants, whose model lists thousands of containers.
"""

from __future__ import annotations

import random
import textwrap
import tracemalloc

from cpu_bound import within
from linter.api import lint_text
from linter.context_selection import ContextRequest
from linter.engine import LintOptions
from plugins.adapters import kubernetes


def _template(resources: list[str]) -> str:
    return "Resources:\n" + "".join(resources)


def _lint_template_within(seconds: float, resources: list[str]):
    """The lint of a template of `resources`, which must take less than `seconds` of CPU."""
    with within(seconds):
        return lint_text(_template(resources), "template.yaml")


def _no_failures(result) -> bool:
    """True when nothing was cut short (MD001: a time limit) or crashed (MD002)."""
    return not [finding for finding in result.findings if finding.rule_id in ("MD001", "MD002")]


_LETTERS = random.Random(18)
_TARGET = "".join(_LETTERS.choice("abcdefghij") for _ in range(253))

HPA = f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: scorer, namespace: ml}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {_TARGET}}}
  minReplicas: 2
  maxReplicas: 4
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
"""


def _deployments(names: list[str]) -> str:
    return "---\n".join(
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: ml}}\n"
        "spec:\n  template:\n    spec:\n      containers: [{name: app, image: nginx}]\n"
        for name in names
    )


def _anagrams(count: int) -> list[str]:
    """Names with the target's letters in another order: the character counts cannot tell them from it."""
    shuffler = random.Random(1)
    names = []
    for _ in range(count):
        letters = list(_TARGET)
        shuffler.shuffle(letters)
        names.append("".join(letters))
    return names


def _changed_at_both_ends(count: int) -> list[str]:
    """Names two edits from the target, a letter changed near each end: little shared at either end to skip."""
    letters = "klmnopqrstuvwxyz"
    names = []
    for start, end in ((0, 252), (1, 252), (0, 251)):
        for first in letters:
            for last in letters:
                names.append(_TARGET[:start] + first + _TARGET[start + 1 : end] + last + _TARGET[end + 1 :])
    return names[:count]


def test_a_namespace_of_long_anagrams_of_a_missing_target_is_searched_in_linear_time():
    text = HPA + "---\n" + _deployments(_anagrams(1000))
    with within(6.0):
        result = lint_text(text, "hostile.yaml")
    # None is a near miss: the target is left to what renders it elsewhere, without a word.
    assert not [finding for finding in result.findings if finding.rule_id in ("AS002", "MD001", "MD002")]


def test_a_namespace_of_long_near_namesakes_of_a_missing_target_is_searched_in_linear_time():
    text = HPA + "---\n" + _deployments(_changed_at_both_ends(600))
    with within(6.0):
        result = lint_text(text, "hostile.yaml")
    (dangling,) = [finding for finding in result.findings if finding.rule_id == "AS002"]
    assert "did you mean" in dangling.message
    assert _no_failures(result)


def test_choosing_context_among_long_anagrams_of_a_linted_autoscalers_target_takes_linear_time():
    request = ContextRequest({"hpa.yaml": HPA}, LintOptions())
    with within(3.0):
        wanted = kubernetes.mldeploy_context_wanted("apps.yaml", _deployments(_anagrams(1000)), request)
    assert not wanted  # no name in it is within the typo distance, so nothing there decides AS002
    near = _deployments(_anagrams(999) + _changed_at_both_ends(1))
    assert kubernetes.mldeploy_context_wanted("apps.yaml", near, ContextRequest({"hpa.yaml": HPA}, LintOptions()))


ENDPOINT_CONFIG = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: main
          ModelName: churn
          InitialInstanceCount: 2
          InstanceType: {instance_type}
"""


def test_an_instance_type_megabytes_long_is_unknown_without_a_suggestion_in_linear_time():
    text = ENDPOINT_CONFIG.format(instance_type="ml.g5." + "x" * 2_000_000)
    with within(6.0):
        result = lint_text(text, "template.yaml")
    (unknown,) = [finding for finding in result.findings if finding.rule_id == "CP005"]
    assert "did you mean" not in unknown.message
    assert _no_failures(result)


def test_a_misspelt_instance_type_is_still_told_what_it_means():
    result = lint_text(ENDPOINT_CONFIG.format(instance_type="ml.g5.xlarg"), "template.yaml")
    (unknown,) = [finding for finding in result.findings if finding.rule_id == "CP005"]
    assert "did you mean ml.g5.xlarge?" in unknown.message


def _budgets_and_workloads(count: int) -> str:
    documents = []
    for number in range(count):
        documents.append(
            f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: pdb-{number:04}, namespace: ml}}\n"
            "spec: {minAvailable: 1, selector: {matchLabels: {app: llm}}}\n"
        )
        documents.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: llm-{number}, namespace: ml}}\n"
            "spec:\n  replicas: 2\n  selector: {matchLabels: {app: llm}}\n"
            "  template:\n    metadata: {labels: {app: llm}}\n    spec:\n      containers: [{name: app, image: nginx}]\n"
        )
    return "---\n".join(documents)


def test_thousands_of_budgets_selecting_thousands_of_workloads_keep_a_few_names_each():
    text = _budgets_and_workloads(600)
    tracemalloc.start()
    try:
        result = lint_text(text, "budgets.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Every pair held a link and a name in its note: 47 MB here (9 MB now), growing with the square of the file.
    assert peak < 24 * 1024 * 1024, f"{peak / 1048576:.1f} MB"
    deployment = result.deployments[-1]
    budgets = [link for link in deployment.links if link.kind == "PodDisruptionBudget"]
    assert [link.name for link in budgets] == [f"pdb-{number:04}" for number in range(10)]
    note = deployment.availability.disruption_budget.note
    assert note.startswith("PodDisruptionBudget pdb-0000 selects the pod labels; also pdb-0001, pdb-0002,")
    assert note.endswith("pdb-0009 and 590 more")


def _hosting_template(endpoints: int, variants: int, containers: int) -> str:
    lines = [
        "Resources:",
        "  Model:",
        "    Type: AWS::SageMaker::Model",
        "    Properties:",
        "      ExecutionRoleArn: arn:aws:iam::123456789012:role/serving",
        "      Containers:",
        *(f"        - {{Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:{number}}}" for number in range(containers)),
        "  Config:",
        "    Type: AWS::SageMaker::EndpointConfig",
        "    Properties:",
        "      ProductionVariants:",
        *(
            f"        - {{VariantName: v{number}, ModelName: !GetAtt Model.ModelName, InitialInstanceCount: 2, InstanceType: ml.m5.large}}"
            for number in range(variants)
        ),
    ]
    for number in range(endpoints):
        lines += [f"  Endpoint{number}:", "    Type: AWS::SageMaker::Endpoint", "    Properties: {EndpointConfigName: !GetAtt Config.EndpointConfigName}"]
    return "\n".join(lines) + "\n"


def _unread(result) -> list[str]:
    return [f"{finding.span.line}: {finding.message}" for finding in result.findings if finding.rule_id == "MD001"]


def test_endpoints_naming_a_configuration_of_more_variants_than_sagemaker_accepts_hold_ten_each():
    with within(4.0):  # 300 endpoints of 300 variants made 90,000 units
        result = lint_text(_hosting_template(300, 300, 1), "template.yaml")
    assert _unread(result) == [
        "22: 300 ProductionVariants, where SageMaker accepts at most 10 (CreateEndpointConfig): only the first 10 are linted"
    ]
    assert len(result.deployments) == 300
    assert {len(deployment.units) for deployment in result.deployments} == {10}


def test_a_model_of_more_containers_than_sagemaker_accepts_has_fifteen_read():
    with within(4.0):  # 200 endpoints of 10 variants, each serving 400 containers: 800,000 to judge
        result = lint_text(_hosting_template(200, 10, 400), "template.yaml")
    assert _unread(result) == ["22: 400 Containers, where SageMaker accepts at most 15 (CreateModel): only the first 15 are linted"]
    assert {len(deployment.models) for deployment in result.deployments} == {15}


def test_the_variants_sagemaker_would_reject_are_reported_once_in_an_ack_object_and_an_api_document():
    variants = "".join(f"    - {{variantName: v{number}, modelName: m, instanceType: ml.m5.large, initialInstanceCount: 2}}\n" for number in range(12))
    ack = f"apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: EndpointConfig\nmetadata: {{name: c}}\nspec:\n  endpointConfigName: c\n  productionVariants:\n{variants}"
    assert _unread(lint_text(ack, "config.yaml")) == [
        "17: 12 ProductionVariants, where SageMaker accepts at most 10 (CreateEndpointConfig): only the first 10 are linted"
    ]
    api = ack.split("spec:\n", 1)[1].replace("endpointConfigName", "EndpointConfigName").replace("productionVariants", "ProductionVariants")
    api = api.replace("variantName", "VariantName").replace("modelName", "ModelName").replace("instanceType", "InstanceType")
    api = api.replace("initialInstanceCount", "InitialInstanceCount")
    assert _unread(lint_text(textwrap.dedent(api), "config.yaml")) == [
        "13: 12 ProductionVariants, where SageMaker accepts at most 10 (CreateEndpointConfig): only the first 10 are linted"
    ]


def test_a_model_request_of_more_containers_than_sagemaker_accepts_says_so_where_it_is_written():
    import json

    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    containers = [{"Image": image, "ContainerHostname": f"c{number}"} for number in range(17)]
    role = "arn:aws:iam::123456789012:role/serving"
    ack = "".join(
        ["apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: Model\nmetadata: {name: m}\nspec:\n  modelName: m\n",
         f"  executionRoleARN: {role}\n  containers:\n"]
        + [f"    - {{image: {image}, containerHostname: c{number}}}\n" for number in range(17)]
    )
    terraform = (
        f'resource "aws_sagemaker_model" "m" {{\n  name = "m"\n  execution_role_arn = "{role}"\n'
        + "".join(f'  container {{\n    image = "{image}"\n  }}\n' for _ in range(17))
        + "}\n"
    )
    task = {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel", "End": True,
            "Parameters": {"ModelName": "m", "ExecutionRoleArn": role, "Containers": containers}}
    step = {"Name": "M", "Type": "Model", "Arguments": {"ExecutionRoleArn": role, "Containers": containers}}
    files = {
        "create-model.json": json.dumps({"ModelName": "m", "ExecutionRoleArn": role, "Containers": containers}, indent=1),
        "model.yaml": ack,
        "main.tf": terraform,
        "machine.asl.json": json.dumps({"StartAt": "M", "States": {"M": task}}, indent=1),
        "pipeline.json": json.dumps({"Version": "2020-12-01", "Steps": [step]}, indent=1),
    }
    message = "17 Containers, where SageMaker accepts at most 15 (CreateModel): only the first 15 are linted"
    for path, text in files.items():
        (problem,) = [finding for finding in lint_text(text, path).findings if finding.rule_id == "MD001"]
        assert problem.message == message, path
        # At the sixteenth container, the first one left out: its flow mapping (YAML), its block (HCL), the
        # brace that opens it two lines above its host name (JSON).
        lines = text.splitlines()
        if path == "main.tf":
            expected = [number for number, line in enumerate(lines, 1) if line == "  container {"][15]
        else:
            expected = next(number for number, line in enumerate(lines, 1) if "c15" in line) - (0 if path == "model.yaml" else 2)
        assert problem.span.line == expected, (path, problem.span)


def test_a_template_is_read_with_at_most_32_stage_files_and_says_so(tmp_path, monkeypatch):
    from linter.api import lint_paths

    (tmp_path / "template.yaml").write_text(_hosting_template(20, 2, 1))
    for number in range(2000):  # a stage file each, one line: the template was read 2,000 times (122 s, 834 MB)
        (tmp_path / f"params-{number:04}.json").write_text(f'{{"Tags": {{"stage": "s{number}"}}}}')
    monkeypatch.chdir(tmp_path)
    with within(8.0):
        result = lint_paths(["."], context="none")
    assert _unread(result) == [
        "1: 2,000 stage files apply to this template; it is read with the first 32 by path, and under the other 1,968 it is not linted"
    ]
    assert sorted({str(deployment.variant.value) for deployment in result.deployments}) == [f"params-{number:04}.json" for number in range(32)]
    (autoscaling,) = {finding.variants for finding in result.findings if finding.rule_id == "AS001"}
    assert len(autoscaling) == 32  # each finding is one, merged across the stages it is read under


def test_a_suppression_in_a_long_stream_finds_each_deployments_document_by_bisection():
    # One suppression comment makes the engine ask which document holds each deployment alone; a pass over
    # every document of the file per deployment took 22 s for these 8,000.
    documents = [
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{number}, namespace: ml}}\n"
        "spec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: app, image: nginx}]\n"
        for number in range(8000)
    ]
    documents[4000] = "# mldeploy-lint: disable=AS001 -- scaled by hand\n" + documents[4000]
    with within(10.0):
        result = lint_text("---\n".join(documents), "stream.yaml")
    excused = [finding.span.line for finding in result.findings if finding.rule_id == "AS001" and finding.suppression is not None]
    assert excused == [4000 * 9 + 6]  # only the deployment of the document the comment starts


def _runtimes_and_services(count: int) -> str:
    documents = []
    for number in range(count):
        documents.append(
            f"apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nmetadata: {{name: rt-{number:04}, namespace: ml}}\n"
            "spec:\n  supportedModelFormats: [{name: xgboost, autoSelect: true, priority: 1}]\n"
            "  containers: [{name: kserve-container, image: kserve/xgbserver:v0.11}]\n"
        )
        documents.append(
            f"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {{name: isvc-{number}, namespace: ml}}\n"
            f"spec:\n  predictor:\n    model: {{modelFormat: {{name: xgboost}}, storageUri: s3://models/{number}}}\n"
        )
    return "---\n".join(documents)


def test_thousands_of_runtimes_for_thousands_of_inference_services_are_chosen_among_once():
    with within(3.0):  # each service read every runtime: 1,500 of each took ~8 s (2,000: the time limit)
        result = lint_text(_runtimes_and_services(1500), "serving.yaml")
    assert _no_failures(result)
    runtime = result.deployments[-1].attribute("predictor.serving_runtime")
    assert not runtime.known
    assert runtime.note == (
        "modelFormat xgboost: ServingRuntimes rt-0000, rt-0001, rt-0002, rt-0003, rt-0004, rt-0005, rt-0006, rt-0007, "
        "rt-0008, rt-0009 and 1,490 more are equally eligible"
    )


def test_thousands_of_node_pools_near_thousands_of_jobs_are_matched_once_per_kind_of_pod():
    documents = []
    for number in range(1500):
        documents.append(
            f"apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {{name: pool-{number}}}\nspec:\n  template:\n    spec:\n"
            "      requirements: [{key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}]\n"
            "      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}\n"
        )
        documents.append(
            f"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: train-{number}, namespace: ml}}\nspec:\n  template:\n    spec:\n"
            "      restartPolicy: Never\n      containers: [{name: t, image: pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime}]\n"
        )
    with within(3.0):  # each job's pod was matched against every pool: 1,500 of each took ~7 s
        result = lint_text("---\n".join(documents), "pools.yaml")
    assert _no_failures(result)
    assert len(result.deployments) == 3000  # the pools are read as capacity, the jobs as work


def test_thousands_of_dangling_autoscalers_look_their_namesakes_and_near_misses_up_once():
    documents = []
    for number in range(4500):
        documents.append(
            f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: h{number}, namespace: a}}\n"
            f"spec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web-{number:04}}}\n  minReplicas: 2\n  maxReplicas: 4\n"
        )
        documents.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web-{number:04}, namespace: {'b' if number % 2 else 'a'}x}}\n"
            "spec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: app, image: nginx}]\n"
        )
    with within(5.0):  # each autoscaler went through every object of the run, twice: ~11 s
        result = lint_text("---\n".join(documents), "stream.yaml")
    assert len(result.scaling_targets) == 4500
    assert _no_failures(result)


def test_thousands_of_objects_each_excusing_a_rule_find_their_own_extent():
    documents = [
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w{number}\n  namespace: ml\n"
        "  annotations: {ignore.mldeploy-lint.io/AS001: scaled by hand}\n"
        "spec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: app, image: nginx}]\n"
        for number in range(6000)
    ]
    with within(5.0):  # every finding was held against every object's extent: ~9 s
        result = lint_text("---\n".join(documents), "stream.yaml")
    excused = [finding for finding in result.findings if finding.rule_id == "AS001" and finding.suppression is not None]
    assert len(excused) == 6000


def test_a_template_of_hundreds_of_batch_queues_reads_its_batch_resources_and_runners_once():
    resources = []
    for number in range(400):
        resources.append(
            f"  Environment{number}:\n    Type: AWS::Batch::ComputeEnvironment\n    Properties:\n      Type: MANAGED\n"
            "      ComputeResources: {Type: EC2, MinvCpus: 0, MaxvCpus: 64, InstanceTypes: [g5.xlarge], Subnets: [subnet-1]}\n"
            f"  Queue{number}:\n    Type: AWS::Batch::JobQueue\n    Properties:\n      Priority: 1\n"
            f"      ComputeEnvironmentOrder: [{{Order: 1, ComputeEnvironment: !Ref Environment{number}}}]\n"
            f"  Job{number}:\n    Type: AWS::Batch::JobDefinition\n    Properties:\n      Type: container\n"
            "      ContainerProperties: {Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}\n"
            f"  Nightly{number}:\n    Type: AWS::Events::Rule\n    Properties:\n      ScheduleExpression: rate(1 day)\n"
            f"      Targets: [{{Id: batch, Arn: !Ref Queue{number}, BatchParameters: {{JobDefinition: !Ref Job{number}}}}}]\n"
        )
    # every environment and queue read the whole template's Batch resources and runners again: ~60 s
    result = _lint_template_within(6.0, resources)
    assert len(result.deployments) == 400
    assert all(("AWS::Events::Rule", f"Nightly{number}") in {(link.kind, link.name) for link in deployment.links} for number, deployment in enumerate(result.deployments))


def test_a_template_of_eight_hundred_pipelines_reads_its_models_once():
    resources = []
    for number in range(800):
        resources.append(
            f"  Model{number}:\n    Type: AWS::SageMaker::Model\n    Properties:\n      ExecutionRoleArn: arn:aws:iam::123456789012:role/x\n"
            f"      PrimaryContainer: {{Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}}\n"
            f"  Pipeline{number}:\n    Type: AWS::SageMaker::Pipeline\n    Properties:\n      PipelineName: p{number}\n"
            "      RoleArn: arn:aws:iam::123456789012:role/x\n      PipelineDefinition:\n        PipelineDefinitionBody: '{\"Version\": \"2020-12-01\", \"Steps\": []}'\n"
        )
    # every pipeline read every model of the template: ~11 s
    result = _lint_template_within(4.0, resources)
    assert _no_failures(result)


def test_endpoints_naming_one_of_thousands_of_configurations_of_one_name_find_the_first_at_once():
    resources = []
    for number in range(2500):
        resources.append(
            f"  Config{number}:\n    Type: AWS::SageMaker::EndpointConfig\n    Properties:\n      EndpointConfigName: !Sub ${{AWS::StackName}}-config\n"
            "      ProductionVariants: [{VariantName: v, ModelName: m, InitialInstanceCount: 2, InstanceType: ml.m5.large}]\n"
            f"  Endpoint{number}:\n    Type: AWS::SageMaker::Endpoint\n    Properties:\n      EndpointConfigName: !Sub ${{AWS::StackName}}-config\n"
        )
    # each endpoint compared its name with every configuration's: ~10 s
    result = _lint_template_within(4.0, resources)
    assert {deployment.links[1].name for deployment in result.deployments if deployment.id.endswith(("Endpoint0", "Endpoint2499"))} == {"Config0"}


def test_policies_naming_one_of_thousands_of_targets_by_resource_id_find_the_first_at_once():
    resources = [
        "  Endpoint:\n    Type: AWS::SageMaker::Endpoint\n    Properties: {EndpointName: scorer, EndpointConfigName: config}\n"
    ]
    for number in range(3000):
        triple = "ResourceId: endpoint/scorer/variant/AllTraffic, ScalableDimension: sagemaker:variant:DesiredInstanceCount, ServiceNamespace: sagemaker"
        resources.append(
            f"  Target{number}:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
            f"    Properties: {{MinCapacity: 2, MaxCapacity: 4, {triple}}}\n"
            f"  Policy{number}:\n    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n    Properties:\n      PolicyName: p{number}\n"
            f"      PolicyType: TargetTrackingScaling\n      {triple.replace(', ', chr(10) + '      ')}\n"
            "      TargetTrackingScalingPolicyConfiguration: {TargetValue: 70, PredefinedMetricSpecification: {PredefinedMetricType: SageMakerVariantInvocationsPerInstance}}\n"
        )
    # each policy compared its ResourceId with every target's: ~9 s
    result = _lint_template_within(4.0, resources)
    assert _no_failures(result)


def test_a_template_of_thousands_of_ecs_services_finds_the_tasks_they_run_once():
    resources = []
    for number in range(3000):
        resources.append(
            f"  Task{number}:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: task-{number}\n"
            "      ContainerDefinitions: [{Name: app, Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}]\n"
            f"  Service{number}:\n    Type: AWS::ECS::Service\n    Properties: {{Cluster: ml, DesiredCount: 2, TaskDefinition: !Ref Task{number}}}\n"
        )
    # each task definition asked every service which task it runs: ~13 s
    result = _lint_template_within(4.0, resources)
    assert len(result.deployments) == 3000  # one per service, its task read with it


def test_thousands_of_ack_objects_of_one_aws_name_find_the_nearest_at_once():
    documents = []
    for number in range(3000):
        documents.append(
            f"apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: Model\nmetadata: {{name: model-{number}, namespace: ml}}\n"
            "spec: {modelName: churn, primaryContainer: {image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}}\n"
        )
        documents.append(
            f"apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: EndpointConfig\nmetadata: {{name: config-{number}, namespace: ml}}\n"
            "spec:\n  endpointConfigName: churn\n  productionVariants: [{variantName: v, modelName: churn, instanceType: ml.m5.large, initialInstanceCount: 2}]\n"
        )
    with within(4.0):  # each configuration ranked every model of its model's name: ~11 s
        result = lint_text("---\n".join(documents), "stream.yaml")
    assert _no_failures(result)


def test_thousands_of_batch_queues_naming_environments_by_arn_find_them_in_one_look_up():
    resources = []
    for number in range(2000):
        capacity = "SPOT" if number % 2 else "EC2"
        resources.append(
            f"  Environment{number}:\n    Type: AWS::Batch::ComputeEnvironment\n    Properties:\n      Type: MANAGED\n"
            f"      ComputeEnvironmentName: env-{number}\n"
            f"      ComputeResources: {{Type: {capacity}, MinvCpus: 0, MaxvCpus: 64, InstanceTypes: [g5.xlarge], Subnets: [subnet-1]}}\n"
            f"  Queue{number}:\n    Type: AWS::Batch::JobQueue\n    Properties:\n      Priority: 1\n      ComputeEnvironmentOrder:\n"
            f"        - {{Order: 1, ComputeEnvironment: !Sub 'arn:aws:batch:${{AWS::Region}}:${{AWS::AccountId}}:compute-environment/env-{number}'}}\n"
        )
    result = _lint_template_within(4.0, resources)  # each queue split every environment's name to compare it: ~10 s
    assert _no_failures(result)
    deployments = {deployment.id.rsplit("#", 1)[1]: deployment for deployment in result.deployments}
    assert ("AWS::Batch::JobQueue", "Queue1999") in {(link.kind, link.name) for link in deployments["Environment1999"].links}


def test_the_rules_over_the_whole_run_see_at_most_64_stage_labels_and_md001_names_the_rest(tmp_path, monkeypatch):
    from linter.api import lint_paths

    template = _template(["  Endpoint:\n    Type: AWS::SageMaker::Endpoint\n    Properties: {EndpointName: scorer, EndpointConfigName: config}\n"])
    for number in range(70):  # a template and a stage file of a name of its own in each directory: 70 worlds, each of every deployment
        (tmp_path / f"d{number:02}").mkdir()
        (tmp_path / f"d{number:02}" / "template.yaml").write_text(template)
        (tmp_path / f"d{number:02}" / f"s{number:02}-config.json").write_text('{"Tags": {"team": "x"}}')
    monkeypatch.chdir(tmp_path)
    result = lint_paths(["."], context="none")
    assert _unread(result) == [
        "2: 70 variant labels (stage files): the rules over the whole run judge the deployments of the first 64 by name, "
        "not those read under the other 6 (s64-config.json, s65-config.json, s66-config.json, ...)"
    ]
    (unread,) = [finding for finding in result.findings if finding.rule_id == "MD001"]
    assert unread.path == "d64/template.yaml"


def test_terraform_targets_and_policies_of_many_instances_are_matched_by_look_up():
    # 30 targets and 30 policies, each `for_each` over 64 variants: 1,920 of each, read per instance. Each policy
    # compared with every target (a triple of name keys each): 13.9 s for this 50 KB module; filed once, 0.7 s.
    keys = ", ".join(f'"v{number}"' for number in range(64))
    blocks = ['resource "aws_sagemaker_endpoint" "e" {\n  name = "ep"\n  endpoint_config_name = "cfg"\n}\n']
    for number in range(30):
        common = (
            f'  for_each           = toset([{keys}])\n  resource_id        = "endpoint/ep/variant/${{each.key}}-{number}"\n'
            '  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"\n  service_namespace  = "sagemaker"\n'
        )
        blocks.append(f'resource "aws_appautoscaling_target" "t{number}" {{\n{common}  min_capacity = 2\n  max_capacity = 4\n}}\n')
        blocks.append(
            f'resource "aws_appautoscaling_policy" "p{number}" {{\n{common}  policy_type = "TargetTrackingScaling"\n'
            "  target_tracking_scaling_policy_configuration {\n    target_value = 5\n"
            '    predefined_metric_specification { predefined_metric_type = "SageMakerVariantInvocationsPerInstance" }\n  }\n}\n'
        )
    with within(4.0):
        result = lint_text("".join(blocks), "main.tf")
    assert len(result.scaling_targets) == 1920
    assert {len(target.scaling.policies) for target in result.scaling_targets} == {1}


def test_many_linted_budgets_beside_many_context_workloads_read_each_workload_once():
    # Each linted budget judges the context workloads it selects: found through one index of the context
    # workloads by the budget they take, not by reading every workload of the namespace again for each budget.
    from linter.engine import InputFile, LintOptions, run_lint
    from linter.plugin_manager import build_plugin_host

    count = 400
    budgets = "".join(
        f"---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: w{n}, namespace: ml}}\n"
        f"spec: {{maxUnavailable: 100%, selector: {{matchLabels: {{app: w{n}}}}}}}\n"
        for n in range(count)
    )
    workloads = "".join(
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{n}, namespace: ml}}\nspec:\n  replicas: 2\n"
        f"  selector: {{matchLabels: {{app: w{n}}}}}\n  template:\n    metadata: {{labels: {{app: w{n}}}}}\n"
        f"    spec: {{containers: [{{name: server, image: vllm/vllm-openai:v0.8.5}}]}}\n"
        for n in range(count)
    )
    host = build_plugin_host()
    inputs = [InputFile("budgets.yaml", budgets.encode()), InputFile("workloads.yaml", workloads.encode(), context_only=True)]
    with within(2.0):  # 0.2 s; reading the namespace's workloads again for each budget took 6 s
        result = run_lint(inputs, host, LintOptions())
    assert sum(1 for finding in result.findings if finding.rule_id == "HA007") == count  # each budget's, at itself
    assert len(result.deployments) == count
