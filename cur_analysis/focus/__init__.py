"""FOCUS (FinOps Open Cost and Usage Specification) from the CUR: the column rules (``rules``:
1.0; ``rules_1_2``: 1.2), the source columns they read beyond the library's own (``source``) and
the tables of what AWS's native export writes (``units``, ``service_categories``,
``service_subcategories``, ``resource_types``). The dataset is ``datasets.focus``."""
