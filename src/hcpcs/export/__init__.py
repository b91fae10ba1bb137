"""Exports of stored releases to files others load."""
