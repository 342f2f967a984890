"""Built-in rule packs, one per concern and ID prefix; one module per rule."""
