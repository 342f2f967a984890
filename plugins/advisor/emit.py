"""Templates for a recommendation: a SageMaker CloudFormation template, or a KServe InferenceService / Kubernetes Job.

What is emitted carries the workload profile it was advised for (CloudFormation
Metadata, Kubernetes annotations), so that linting it judges it against the
same profile; tests/test_advise.py lints every emitted template and expects
no finding, and runs cfn-lint over the CloudFormation ones.
"""

from __future__ import annotations

import io

from linter import CommandError

from plugins.advisor.decide import ASYNC, BATCH_TRANSFORM, JOB, REAL_TIME, SERVERLESS, SERVICE, Advice
from plugins.rules.endpoint_fit_decisions import payload_bytes, transform_max_payload_needed
from plugins.data import (
    accelerator_resource_names,
    accelerator_resource,
    autoscaling_service_namespace,
    kserve_model_format,
    kubernetes_label,
    limit,
    raw_tables,
)

FORMATS = ("cloudformation", "kubernetes")
NAME = "model"
VARIANT = "AllTraffic"


def emit(advice: Advice, format_name: str, name: str = NAME) -> str:
    """The template for `advice` in `format_name` (cloudformation | kubernetes) as YAML text."""
    if not advice.fits:
        raise CommandError("no deployment fits this profile, so there is nothing to emit: " + "; ".join(
            f"{reason.rule}: {reason.text}" for reason in advice.conflicts
        ))
    if advice.hosting == "inference-components":
        raise CommandError(
            "--emit does not write inference components yet: emit one model's endpoint (--models 1) and add an "
            "AWS::SageMaker::InferenceComponent per model"
        )
    kserve = format_name == "kubernetes" and advice.endpoint_type == SERVICE
    if kserve and (advice.profile.framework is None or kserve_model_format(advice.profile.framework) is None):
        raise CommandError(
            f"KServe has no model format for framework {advice.profile.framework or '(undeclared)'}: pass --framework "
            "with a KServe model format (images.kserve_model_formats in the data tables)"
        )
    if advice.image is None and not kserve:
        raise CommandError(
            f"the data tables hold no example image for framework {advice.profile.framework or '(undeclared)'} on "
            f"{advice.accelerator}: pass --framework with one of the frameworks in advisor_examples.images"
        )
    if format_name == "cloudformation":
        if advice.profile.platform != "sagemaker":
            raise CommandError("--emit cloudformation writes SageMaker resources: use --platform sagemaker (or --emit kubernetes)")
        document = _cloudformation(advice, name)
    else:
        if advice.profile.platform != "kubernetes":
            raise CommandError("--emit kubernetes writes Kubernetes objects: use --platform kubernetes (or --emit cloudformation)")
        return "---\n".join(_dump(document) for document in _kubernetes(advice, name))
    return _dump(document)


def _dump(document: dict) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # keep the keys in the order written
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _workload(advice: Advice) -> dict:
    return {key: (_number(value) if isinstance(value, (int, float)) else value) for key, value in advice.profile.schema_entries().items()}


# --- CloudFormation ------------------------------------------------------------


def _large_model(advice: Advice) -> bool:
    large = float(limit("advisor", "large_model_gb").value)  # type: ignore[arg-type]
    return advice.profile.llm_server or (advice.profile.model_size_gb is not None and advice.profile.model_size_gb >= large)


def _cloudformation(advice: Advice, name: str) -> dict:
    resources: dict = {}
    container: dict = {"Image": advice.image, "ModelDataUrl": {"Ref": "ModelDataUrl"}}
    if advice.hosting == "multi-model":
        container["Mode"] = "MultiModel"
    model_properties: dict = {"ExecutionRoleArn": {"Ref": "ExecutionRoleArn"}, "PrimaryContainer": container}
    if advice.endpoint_type == BATCH_TRANSFORM:
        model_properties = {"ModelName": name, **model_properties}
    resources["Model"] = {"Type": "AWS::SageMaker::Model", "Properties": model_properties}
    metadata = {"mldeploy-lint": {"workload": _workload(advice)}}
    parameters = {
        "ExecutionRoleArn": {"Type": "String", "Description": "IAM role SageMaker assumes to run the model"},
        "ModelDataUrl": {"Type": "String", "Description": "S3 URI of the model artifacts (a prefix for a multi-model endpoint)"},
    }
    if advice.endpoint_type == BATCH_TRANSFORM:
        parameters["StateMachineRoleArn"] = {"Type": "String", "Description": "IAM role Step Functions assumes to start the transform job"}
        parameters["InputS3Uri"] = {"Type": "String", "Description": "S3 prefix of the records to score"}
        parameters["OutputS3Uri"] = {"Type": "String", "Description": "S3 prefix for the results"}
        resources["Transform"] = _transform_state_machine(advice, name, metadata)
    else:
        resources.update(_endpoint(advice, name, metadata, parameters))
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{advice.endpoint_type} deployment written by mldeploy-lint advise for the workload profile in Metadata",
        "Parameters": parameters,
        "Resources": resources,
    }


def _endpoint(advice: Advice, name: str, metadata: dict, parameters: dict) -> dict:
    variant: dict = {"VariantName": VARIANT, "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]}}
    if advice.endpoint_type == SERVERLESS:
        variant["ServerlessConfig"] = {
            "MemorySizeInMB": advice.serverless["memory_mb"],
            "MaxConcurrency": advice.serverless["max_concurrency"],
        }
    else:
        variant["InstanceType"] = advice.instance_type
        # Never fewer than the autoscaling minimum, and at least the production minimum.
        variant["InitialInstanceCount"] = max(advice.availability.get("instances") or 1, advice.scaling.get("min") or 1)
        variant["InitialVariantWeight"] = 1
        if _large_model(advice):
            seconds = int(limit("advisor", "startup_timeout_seconds").value)  # type: ignore[arg-type]
            variant["ContainerStartupHealthCheckTimeoutInSeconds"] = seconds
            variant["ModelDataDownloadTimeoutInSeconds"] = seconds
    config_properties: dict = {"ProductionVariants": [variant]}
    if advice.endpoint_type == ASYNC:
        parameters["OutputS3Uri"] = {"Type": "String", "Description": "S3 prefix for results"}
        parameters["FailureS3Uri"] = {"Type": "String", "Description": "S3 prefix for failed requests"}
        config_properties["AsyncInferenceConfig"] = {
            "OutputConfig": {"S3OutputPath": {"Ref": "OutputS3Uri"}, "S3FailurePath": {"Ref": "FailureS3Uri"}}
        }
    resources: dict = {
        "EndpointConfig": {"Type": "AWS::SageMaker::EndpointConfig", "Metadata": metadata, "Properties": config_properties},
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {"EndpointName": name, "EndpointConfigName": {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]}},
        },
    }
    if advice.endpoint_type in (REAL_TIME, ASYNC):
        resources.update(_autoscaling(advice))
    return resources


def _autoscaling(advice: Advice) -> dict:
    scaling = advice.scaling
    resource_id = {"Fn::Sub": "endpoint/${Endpoint.EndpointName}/variant/" + VARIANT}
    resources: dict = {
        "ScalableTarget": {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": {
                "ServiceNamespace": autoscaling_service_namespace(),
                "ScalableDimension": scaling["dimension"],
                "ResourceId": resource_id,
                "MinCapacity": scaling["min"],
                "MaxCapacity": scaling["max"],
            },
        }
    }
    if advice.endpoint_type == REAL_TIME:
        tracking: dict = {"TargetValue": scaling["target"], "PredefinedMetricSpecification": {"PredefinedMetricType": scaling["metric"]}}
    else:
        tracking = {
            "TargetValue": scaling["target"],
            "CustomizedMetricSpecification": {
                "MetricName": scaling["metric"],
                "Namespace": scaling["namespace"],
                "Dimensions": [{"Name": "EndpointName", "Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}}],
                "Statistic": raw_tables()["async"]["scaling"]["statistic"],
            },
        }
    resources["ScalingPolicy"] = {
        "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
        "Properties": {
            "PolicyName": {"Fn::Sub": "${Endpoint.EndpointName}-target-tracking"},
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": {"Ref": "ScalableTarget"},
            "TargetTrackingScalingPolicyConfiguration": tracking,
        },
    }
    if "wake_metric" in scaling:
        wake = scaling["wake_metric"]
        resources["WakeUpPolicy"] = {
            "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Properties": {
                "PolicyName": {"Fn::Sub": "${Endpoint.EndpointName}-wake-up"},
                "PolicyType": "StepScaling",
                "ScalingTargetId": {"Ref": "ScalableTarget"},
                "StepScalingPolicyConfiguration": {
                    "AdjustmentType": "ChangeInCapacity",
                    "MetricAggregationType": "Average",
                    "Cooldown": 300,
                    "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
                },
            },
        }
        resources["WakeUpAlarm"] = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": "requests are waiting and the endpoint has no instance",
                "Namespace": scaling["namespace"],
                "MetricName": wake,
                "Dimensions": [{"Name": "EndpointName", "Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}}],
                "Statistic": "Average",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "missing",
                "AlarmActions": [{"Ref": "WakeUpPolicy"}],
            },
        }
    return resources


def _transform_state_machine(advice: Advice, name: str, metadata: dict) -> dict:
    instance_count = limit("batch_transform", "instance_count")
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createTransformJob.sync",
        "Parameters": {
            "TransformJobName.$": f"States.Format('{name}-{{}}', $$.Execution.Name)",
            "ModelName": name,
            "TransformInput": {
                "SplitType": "Line",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "${InputS3Uri}"}},
            },
            "TransformOutput": {"S3OutputPath": "${OutputS3Uri}", "AssembleWith": "Line"},
            "TransformResources": {"InstanceType": advice.instance_type, "InstanceCount": instance_count.default},
        },
        "End": True,
    }
    payload = advice.profile.payload_mb
    if payload is not None:
        record = transform_max_payload_needed(payload_bytes(payload))
        ceiling = limit("batch_transform", "concurrent_transforms_times_payload_mb").max
        task["Parameters"]["MaxPayloadInMB"] = max(record, int(limit("batch_transform", "max_payload_mb").default))  # type: ignore[arg-type]
        task["Parameters"]["MaxConcurrentTransforms"] = max(int(ceiling // task["Parameters"]["MaxPayloadInMB"]), 1)  # type: ignore[operator]
        task["Parameters"]["BatchStrategy"] = "SingleRecord"
    import json

    definition = json.dumps({"StartAt": "Score", "States": {"Score": task}}, indent=2)
    return {
        "Type": "AWS::StepFunctions::StateMachine",
        "DependsOn": "Model",
        "Metadata": metadata,
        "Properties": {
            "RoleArn": {"Ref": "StateMachineRoleArn"},
            "DefinitionString": {"Fn::Sub": definition},
        },
    }


# --- Kubernetes ------------------------------------------------------------------


def _resource_for(kind: str) -> str:
    """The first extended resource name that requests an accelerator of `kind` (gpu | neuron)."""
    names = sorted(accelerator_resource_names(), key=lambda item: raw_tables()["kubernetes"]["accelerator_resources"].index(
        next(entry for entry in raw_tables()["kubernetes"]["accelerator_resources"] if entry["name"] == item)
    ))
    return next(name for name in names if accelerator_resource(name) == kind)


def _annotations(advice: Advice) -> dict:
    return {f"mldeploy-lint.io/{key}": str(value) for key, value in _workload(advice).items()}


def _kubernetes(advice: Advice, name: str) -> list[dict]:
    labels = {"app.kubernetes.io/name": name}
    resources: dict = {"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"cpu": "2", "memory": "8Gi"}}
    if advice.accelerator == "gpu":
        resources["limits"][_resource_for("gpu")] = "1"
    if advice.endpoint_type == JOB:
        return [_job(advice, name, labels, resources)]
    scaling = advice.scaling
    predictor: dict = {
        "minReplicas": scaling["min"],
        "maxReplicas": scaling["max"],
        "scaleMetric": scaling["metric"],
        "scaleTarget": scaling["target"],
        "model": {
            "modelFormat": {"name": advice.profile.framework},
            "storageUri": "s3://REPLACE-WITH-YOUR-BUCKET/model/",
            "resources": resources,
        },
    }
    if advice.profile.production:
        predictor["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": kubernetes_label("zone"),
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": {"serving.kserve.io/inferenceservice": name}},
            }
        ]
    documents = [
        {
            "apiVersion": "serving.kserve.io/v1beta1",
            "kind": "InferenceService",
            "metadata": {"name": name, "labels": labels, "annotations": _annotations(advice)},
            "spec": {"predictor": predictor},
        }
    ]
    if advice.profile.production:
        documents.append(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": name},
                "spec": {"minAvailable": 1, "selector": {"matchLabels": {"serving.kserve.io/inferenceservice": name}}},
            }
        )
    return documents


def _job(advice: Advice, name: str, labels: dict, resources: dict) -> dict:
    capacity = "spot" if advice.pricing == "spot" else "on-demand"
    capacity_key = raw_tables()["capacity"]["labels"][0]["key"]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": labels, "annotations": _annotations(advice)},
        "spec": {
            "backoffLimit": 6,
            "template": {
                "metadata": {"labels": labels, "annotations": {"karpenter.sh/do-not-disrupt": "true"}},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "nodeSelector": {capacity_key: capacity},
                    "containers": [{"name": "score", "image": advice.image, "resources": resources}],
                },
            },
        },
    }
