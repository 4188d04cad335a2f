"""Exploration: Hypothesis scenarios from op declarations, divergence classes, minimal case files."""

from oracle.explore.classes import case_data, interesting, signature, signature_key, slug
from oracle.explore.pool import WarmPool
from oracle.explore.session import ClassFound, OpReport, draw_scenarios, explore, explore_op, select_ops, shrink
from oracle.explore.strategies import scenarios

__all__ = ["ClassFound", "OpReport", "WarmPool", "case_data", "draw_scenarios", "explore", "explore_op",
           "interesting", "scenarios", "select_ops", "shrink", "signature", "signature_key", "slug"]
