"""Analyze: language, topics, sentiment and the published brief for a consultation round."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("consultkit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
