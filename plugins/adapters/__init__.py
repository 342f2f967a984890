"""Built-in adapters: they turn parsed documents into the deployment model."""
