"""Two CloudFormation stacks for the tests of links across files: one makes an endpoint, the other scales it.

`endpoint_stack(name)` makes the SageMaker endpoint `name` (one variant,
AllTraffic, of 2 instances); `SCALING_STACK` registers
`endpoint/churn/variant/AllTraffic` with a target-tracking policy.
`endpoint_root(name)` and `SCALING_ROOT` are the same in Terraform, as two
root modules.
"""

from __future__ import annotations


def endpoint_stack(name: str) -> str:
    """A stack making the real-time endpoint `name`."""
    return ENDPOINT_STACK.replace("NAME", name)


ENDPOINT_STACK = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: AllTraffic, ModelName: m, InstanceType: ml.m5.xlarge, InitialInstanceCount: 2}
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointName: NAME, EndpointConfigName: !GetAtt Config.EndpointConfigName}
"""
SCALING_STACK = """\
Resources:
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ResourceId: endpoint/churn/variant/AllTraffic
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      MinCapacity: 2
      MaxCapacity: 6
  Policy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: invocations
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref Target
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 70
        PredefinedMetricSpecification: {PredefinedMetricType: SageMakerVariantInvocationsPerInstance}
"""



def endpoint_root(name: str) -> str:
    """A Terraform root module making the real-time endpoint `name`."""
    return ENDPOINT_ROOT.replace("NAME", name)


ENDPOINT_ROOT = """\
resource "aws_sagemaker_model" "this" {
  name               = "NAME-xgb"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"
  primary_container {
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
  }
}
resource "aws_sagemaker_endpoint_configuration" "this" {
  name = "NAME-config"
  production_variants {
    variant_name           = "AllTraffic"
    model_name             = aws_sagemaker_model.this.name
    instance_type          = "ml.m5.xlarge"
    initial_instance_count = 2
  }
}
resource "aws_sagemaker_endpoint" "this" {
  name                 = "NAME"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name
}
"""

SCALING_ROOT = """\
resource "aws_appautoscaling_target" "churn" {
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/churn/variant/AllTraffic"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = 2
  max_capacity       = 6
}
resource "aws_appautoscaling_policy" "churn" {
  name               = "churn-invocations"
  policy_type        = "TargetTrackingScaling"
  resource_id        = aws_appautoscaling_target.churn.resource_id
  scalable_dimension = aws_appautoscaling_target.churn.scalable_dimension
  service_namespace  = aws_appautoscaling_target.churn.service_namespace
  target_tracking_scaling_policy_configuration {
    target_value = 70
    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}
"""
