"""Planning: the WBS and schedule of a project, calendars, baselines and plan approval."""
