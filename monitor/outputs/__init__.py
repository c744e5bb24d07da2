"""Outputs for people: HTML report, charts, Datasette serve, terminal display."""
