"""Coded party minutes and simulated meetings in one format (docs/ARCHIVE.md).

- :mod:`.codebook`: the levels, columns and codes; reading and checking a coded folder;
- :mod:`.convert`: a run's event log as an archive; writing an archive folder atomically;
- :mod:`.observe`: the observation model (which minutes survive, what they record, misreadings);
- :mod:`.stats`: meeting-level statistics by period, the same function for both;
- :mod:`.agreement`: Krippendorff's alpha (nominal) where rows are double-coded.
"""

from .agreement import alpha_nominal
from .codebook import LEVELS, Archive, read_archive
from .convert import from_events, read_run, write_archive
from .observe import Observation, observe
from .stats import archive_stats, parse_periods

__all__ = [
    "LEVELS",
    "Archive",
    "Observation",
    "alpha_nominal",
    "archive_stats",
    "from_events",
    "observe",
    "parse_periods",
    "read_archive",
    "read_run",
    "write_archive",
]
