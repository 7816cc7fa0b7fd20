"""Awarded grants in the 360Giving standard in the JSON API: public."""
from __future__ import annotations
