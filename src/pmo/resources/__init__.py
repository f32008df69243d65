"""The resource pool: people and placeholders, their rates and calendars, and their assignments."""
