"""The allowed values of FOCUS 1.2's enumerated columns, written from the specification's text.

FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, tag v1.2, ``specification/columns/<column>.md``,
each column's "Allowed values" table (ServiceSubcategory's with its parent ServiceCategory).
Written here by hand, not taken from the code under test nor from focus-validator's model, whose
allowed-value checks pass any value.
"""

from __future__ import annotations

ALLOWED: dict[str, frozenset[str]] = {
    # chargecategory.md
    "ChargeCategory": frozenset({"Usage", "Purchase", "Tax", "Credit", "Adjustment"}),
    # chargeclass.md
    "ChargeClass": frozenset({"Correction"}),
    # chargefrequency.md
    "ChargeFrequency": frozenset({"One-Time", "Recurring", "Usage-Based"}),
    # pricingcategory.md
    "PricingCategory": frozenset({"Standard", "Dynamic", "Committed", "Other"}),
    # commitmentdiscountstatus.md
    "CommitmentDiscountStatus": frozenset({"Used", "Unused"}),
    # commitmentdiscountcategory.md
    "CommitmentDiscountCategory": frozenset({"Spend", "Usage"}),
    # capacityreservationstatus.md
    "CapacityReservationStatus": frozenset({"Used", "Unused"}),
    # servicecategory.md
    "ServiceCategory": frozenset(
        {
            "AI and Machine Learning",
            "Analytics",
            "Business Applications",
            "Compute",
            "Databases",
            "Developer Tools",
            "Multicloud",
            "Identity",
            "Integration",
            "Internet of Things",
            "Management and Governance",
            "Media",
            "Migration",
            "Mobile",
            "Networking",
            "Security",
            "Storage",
            "Web",
            "Other",
        }
    ),
}

# servicesubcategory.md: subcategory -> its one parent ServiceCategory.
_SUBCATEGORIES_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "AI and Machine Learning": (
        "AI Platforms",
        "Bots",
        "Generative AI",
        "Machine Learning",
        "Natural Language Processing",
    ),
    "Analytics": (
        "Analytics Platforms",
        "Business Intelligence",
        "Data Processing",
        "Search",
        "Streaming Analytics",
    ),
    "Business Applications": ("Productivity and Collaboration",),
    "Compute": (
        "Containers",
        "End User Computing",
        "Quantum Compute",
        "Serverless Compute",
        "Virtual Machines",
    ),
    "Databases": (
        "Caching",
        "Data Warehouses",
        "Ledger Databases",
        "NoSQL Databases",
        "Relational Databases",
        "Time Series Databases",
    ),
    "Developer Tools": (
        "Developer Platforms",
        "Continuous Integration and Deployment",
        "Development Environments",
        "Source Code Management",
        "Quality Assurance",
    ),
    "Identity": ("Identity and Access Management",),
    "Integration": ("API Management", "Messaging", "Workflow Orchestration"),
    "Internet of Things": ("IoT Analytics", "IoT Platforms"),
    "Management and Governance": (
        "Architecture",
        "Compliance",
        "Cost Management",
        "Data Governance",
        "Disaster Recovery",
        "Endpoint Management",
        "Observability",
        "Support",
    ),
    "Media": ("Content Creation", "Gaming", "Media Streaming", "Mixed Reality"),
    "Migration": ("Data Migration", "Resource Migration"),
    "Mobile": (),
    "Multicloud": ("Multicloud Integration",),
    "Networking": (
        "Application Networking",
        "Content Delivery",
        "Network Connectivity",
        "Network Infrastructure",
        "Network Routing",
        "Network Security",
    ),
    "Security": (
        "Secret Management",
        "Security Posture Management",
        "Threat Detection and Response",
    ),
    "Storage": (
        "Backup Storage",
        "Block Storage",
        "File Storage",
        "Object Storage",
        "Storage Platforms",
    ),
    "Web": ("Application Platforms",),
    "Other": (),
}
# Every category also has "Other (<category>)".
SUBCATEGORIES: dict[str, str] = {
    subcategory: category
    for category, named in _SUBCATEGORIES_BY_CATEGORY.items()
    for subcategory in (*named, f"Other ({category})")
}
