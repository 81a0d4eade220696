"""Duplicates and campaigns: exact copies, near copies (MinHash LSH) and form-letter campaigns."""

from analyze.duplicates.campaign import CAMPAIGN_COLUMNS, DUPLICATE_COLUMNS, find_campaigns
from analyze.duplicates.key import duplicate_key

__all__ = ["CAMPAIGN_COLUMNS", "DUPLICATE_COLUMNS", "duplicate_key", "find_campaigns"]
