variable "stage" {
  type        = string
  description = "Deployment stage: staging or production."
}

variable "execution_role_arn" {
  type    = string
  default = "arn:aws:iam::123456789012:role/sagemaker-execution"
}

variable "instance_type" {
  type    = string
  default = "ml.g5.2xlarge"
}

variable "instance_count" {
  type    = number
  default = 1
}
