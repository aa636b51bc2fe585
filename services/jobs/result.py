"""What every job returns: a small record, not a positional tuple."""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field


class TooFewIncidents(ValueError):
    """The selection is below a method's minimum: the run fails with this plain reason."""


@dataclass(frozen=True)
class JobResult:
    input_count: int  #: incidents the method read
    resolved: dict  #: every parameter the method used, automatic choices resolved
    log: list[str]  #: the decisions it took, in plain words
    rows: int  #: layer rows written
    summary: dict = field(default_factory=dict)  #: non-spatial results (Knox table, ...)


def require(count: int, minimum: int, method: str) -> None:
    if count < minimum:
        raise TooFewIncidents(f"{method} needs at least {minimum} incidents; the filter selected {count}")


@contextmanager
def warnings_to_log(log: list[str]):
    """Record the library's warnings (degenerate but valid input) in the run's log."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    log.extend(f"Warning: {w.message}" for w in caught)
