"""The interactive dashboard (Solara; the ``dashboard`` extra). See ``dashboard.app``."""
