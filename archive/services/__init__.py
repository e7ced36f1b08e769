"""Writes that span models (import, export, publish, move, merge), one module per concern.

Views, admin actions, management commands and tasks parse their input and call a function
from here, so each of them behaves identically.
"""
