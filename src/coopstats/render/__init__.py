"""Renderers: each turns the same rows into one output format and returns it; none prints."""
