"""Running the chain: crawl subprocesses, the run cycle, the schedule."""
