"""Evidence: archived records, signed WACZ packages, verify, replay, screenshots."""
