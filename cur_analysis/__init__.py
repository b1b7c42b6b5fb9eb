"""cur-analysis: analyse an AWS Organization's Cost and Usage Report from a member account."""

__version__ = "0.1.0"
