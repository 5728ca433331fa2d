"""Sweeps and ensembles: plans, backends (local processes, Dask), the resumable store."""

from .plan import RunSpec, SweepFile, plan, read_sweep
from .runner import run_sweep
from .store import frames, open_store

__all__ = ["RunSpec", "SweepFile", "frames", "open_store", "plan", "read_sweep", "run_sweep"]
