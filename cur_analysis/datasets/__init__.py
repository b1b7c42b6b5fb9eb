"""Datasets: pure ``DataFrame -> DataFrame`` aggregations of a conformed CUR frame."""
