"""Collect: bring every submission of a consultation round into one `responses` table."""
