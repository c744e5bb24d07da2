"""Bundle classification for ``check``: the one classifier of ``storage.classifier``."""

from storage.classifier import (  # noqa: F401 - re-exported
    CLASSIFIER_VERSION,
    NONE,
    STRONG,
    WEAK,
    Classification,
    classify,
    is_strong,
    title_keywords,
)
