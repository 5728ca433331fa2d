"""A plain Mesa 3 implementation of the model, for docking and speed comparison.

Needs the ``reference`` extra (Mesa). The engine never imports this package.
"""

from .model import TriangleModel, run_reference

__all__ = ["TriangleModel", "run_reference"]
