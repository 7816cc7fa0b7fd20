"""Findings and withdrawal cases in the JSON API, for coordinators."""
from __future__ import annotations
