"""coopstats: the ICC's cooperation statistics, counted by the report's own rules."""

__version__ = "0.1.0"
