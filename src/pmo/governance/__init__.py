"""The PMO's governance: methodologies, templates, stage gates, compliance."""
