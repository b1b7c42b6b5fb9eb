"""FOCUS (FinOps Open Cost and Usage Specification) from the CUR, version 1.2 by default and 1.0
on request (``options``): the column rules of each version (``rules_1_2``, which takes every
unchanged rule from ``rules_1_0`` by name; ``versions`` puts each table together), the source
columns they read beyond the library's own (``source``) and the tables of what AWS's native
export writes (``units``, ``service_categories``, ``service_subcategories``,
``resource_types``). The dataset is ``datasets.focus``."""
