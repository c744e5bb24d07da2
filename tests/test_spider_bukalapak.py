"""Bukalapak spider: its whole contract is the shared one.

Samples, listing, Layout v2, truncation, empty state, removal, other base URLs:
see the ``bukalapak`` entry of ``test_spider_contracts.PLATFORMS``.
"""
