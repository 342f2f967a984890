stage = "production"
