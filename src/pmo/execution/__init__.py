"""Execution: progress on tasks, my work, timesheets and actual costs."""
