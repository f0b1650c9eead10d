"""jixiao (绩效): Chinese government budget performance tables into a relational database.

Kept light on purpose: importing `jixiao` must not import a pipeline stage."""

__version__ = "0.1.0"
