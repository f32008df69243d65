"""The demo organisation: believable people, portfolios and projects at every stage."""
