# Deliberately flawed, for the linter to find: a document summariser on
# Mistral 7B served by Hugging Face TGI. In production (prod.tfvars) the
# endpoint runs one instance that nothing scales (HA001, AS001 as an error);
# in every stage the large-model server starts without start-up and
# model-download timeouts of its own (EP007). staging.tfvars is judged too,
# as a stage where a single, fixed instance is fine.

resource "aws_sagemaker_model" "summariser" {
  name               = "summariser-${var.stage}"
  execution_role_arn = var.execution_role_arn

  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.3.1-gpu-py311-cu124-ubuntu22.04"
    environment = {
      HF_MODEL_ID = "mistralai/Mistral-7B-Instruct-v0.3"
      SM_NUM_GPUS = "1"
    }
  }
}

resource "aws_sagemaker_endpoint_configuration" "summariser" {
  name = "summariser-${var.stage}"

  production_variants {
    variant_name           = "AllTraffic"
    model_name             = aws_sagemaker_model.summariser.name
    instance_type          = var.instance_type
    initial_instance_count = var.instance_count
  }

  tags = {
    Environment = var.stage
  }
}

resource "aws_sagemaker_endpoint" "summariser" {
  name                 = "summariser-${var.stage}"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.summariser.name
}
