"""Two CloudFormation stacks for the tests of links across files: one makes an endpoint, the other scales it.

`endpoint_stack(name)` makes the SageMaker endpoint `name` (one variant,
AllTraffic, of 2 instances); `SCALING_STACK` registers
`endpoint/churn/variant/AllTraffic` with a target-tracking policy.
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
