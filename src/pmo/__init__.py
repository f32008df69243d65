"""pmo: a project management office in a box."""
