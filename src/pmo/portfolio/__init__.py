"""Portfolios and programs; intake, scoring and selection arrive with the portfolio issue."""
