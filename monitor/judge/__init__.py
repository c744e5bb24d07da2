"""Judging: classify bundles, apply the rules, compare crawls into findings."""
