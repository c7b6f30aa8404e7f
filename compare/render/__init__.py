"""Renderers: each takes a ComparisonResult and computes nothing of its own."""
