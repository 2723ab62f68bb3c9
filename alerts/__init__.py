"""Digests: selection, grouping, templates, channels."""
