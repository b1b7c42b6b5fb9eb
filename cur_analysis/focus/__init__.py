"""FOCUS 1.0 (FinOps Open Cost and Usage Specification) from the CUR: the column rules
(``rules``), the source columns they read beyond the library's own (``source``) and the
ServiceCategory table (``service_categories``). The dataset is ``datasets.focus``."""
