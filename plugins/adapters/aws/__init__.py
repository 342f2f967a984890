"""What every AWS-shaped adapter shares: one reader per AWS concept.

CloudFormation templates, SageMaker API request documents, Step Functions
and SageMaker Pipelines definitions and ACK resources all spell SageMaker
and Application Auto Scaling the same way, so they read them through the
same modules (a third-party adapter — Terraform, CDK output — should too):

- `sagemaker_requests`: SageMaker API requests (models, endpoint
  configurations and their variants, endpoints, training / transform /
  processing / tuning jobs), through a `RequestReader` that says how the
  place they are written in spells values;
- `application_autoscaling`: ResourceId parsing, policy targets by the
  (ResourceId, ScalableDimension, ServiceNamespace) triple, policy metrics
  from CloudWatch alarms;
- `inferred_facts`: compute, model and ML-evidence facts inferred from the
  data tables;
- `written_values`: written values read as the types the model holds.

Nothing here imports an adapter; adapters import these modules.
"""
