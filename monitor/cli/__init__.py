"""The command line: one module per command (its arguments, help example and
body), ``options`` for what they share, ``program`` for the parser and error path."""


def main(argv: list[str] | None = None) -> int:
    """The ``prakerja-monitor`` console script (``monitor.cli:main``)."""
    from monitor.cli.program import main as run

    return run(argv)
