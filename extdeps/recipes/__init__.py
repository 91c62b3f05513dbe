"""Packaging recipes for other ecosystems: the recipe model and one renderer per
format family."""
