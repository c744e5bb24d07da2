"""The monitor: classification, rules, diffs, findings, alerts and the command line."""
