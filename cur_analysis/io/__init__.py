"""The edges: readers of the CUR table and writers of datasets."""
