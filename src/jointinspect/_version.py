"""The one version number of the `jointinspect` distribution (read by hatch at build time)."""

__version__ = "0.1.0"
