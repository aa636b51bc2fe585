"""Boundary sets (districts, constituencies, police formations, custom areas) and population."""
