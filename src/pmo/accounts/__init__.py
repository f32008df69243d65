"""Users, organisation roles, login throttling and personal API tokens."""
