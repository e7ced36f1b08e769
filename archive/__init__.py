"""Fonds' one Django app: repositories, collections, their component trees, EAD in and out."""
