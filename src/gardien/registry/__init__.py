"""The registry: privacy-as-code. Model, YAML loading with positions, reference checks."""
