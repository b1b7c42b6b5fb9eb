"""ServiceSubcategory of an AWS service: a FOCUS 1.2 subcategory of a ``line_item_product_code``.

Data, not code. FOCUS 1.1 added ServiceSubcategory with a fixed list of values, each under one
ServiceCategory (FOCUS_Spec v1.2, ``specification/columns/servicesubcategory.md``). The services
named here are the common ones, placed by what the service is and under the category
``service_categories`` gives the service. Where AWS's export puts a service in a category whose
subcategories fit it no closer (KMS, Step Functions, ECS, EKS, WAF, API Gateway), it is not listed:
every service not listed is its category's ``Other (<category>)``, which the spec provides for a
service with no closer subcategory. Lines AWS's export puts apart from their service take the
subcategory of their ``service_categories.LINE_CATEGORIES`` row.
"""

from __future__ import annotations

SERVICE_SUBCATEGORIES: dict[str, str] = {
    "AmazonEC2": "Virtual Machines",
    "AmazonLightsail": "Virtual Machines",
    "AWSLambda": "Serverless Compute",
    "AmazonWorkSpaces": "End User Computing",
    "AmazonS3": "Object Storage",
    "AmazonGlacier": "Object Storage",
    "AmazonEFS": "File Storage",
    "AmazonFSx": "File Storage",
    "AWSBackup": "Backup Storage",
    "AmazonRDS": "Relational Databases",
    "AmazonDynamoDB": "NoSQL Databases",
    "AmazonDocDB": "NoSQL Databases",
    "AmazonElastiCache": "Caching",
    "AmazonRedshift": "Data Warehouses",
    "AmazonTimestream": "Time Series Databases",
    "AmazonAthena": "Analytics Platforms",
    "AWSGlue": "Data Processing",
    "ElasticMapReduce": "Data Processing",
    "AmazonQuickSight": "Business Intelligence",
    "AmazonES": "Search",
    "AmazonKinesis": "Streaming Analytics",
    "AmazonSNS": "Messaging",
    "AWSQueueService": "Messaging",
    "AWSEvents": "Messaging",
    "AmazonCloudWatch": "Observability",
    "AWSCloudTrail": "Observability",
    "AWSConfig": "Compliance",
    "AWSBudgets": "Cost Management",
    "AWSCostExplorer": "Cost Management",
    "AWSSupportBusiness": "Support",
    "AWSSupportDeveloper": "Support",
    "AWSSupportEnterprise": "Support",
    "AmazonGuardDuty": "Threat Detection and Response",
    "AmazonInspector": "Security Posture Management",
    "AWSSecurityHub": "Security Posture Management",
    "AWSSecretsManager": "Secret Management",
    "AmazonCloudFront": "Content Delivery",
    "AmazonRoute53": "Network Routing",
    "AmazonVPC": "Network Infrastructure",
    "AWSDirectConnect": "Network Connectivity",
    "AWSDataTransfer": "Network Connectivity",
    "AWSELB": "Application Networking",
    "AmazonBedrock": "Generative AI",
    "AmazonSageMaker": "Machine Learning",
}


def other(category: str) -> str:
    """The subcategory of a service of ``category`` with no closer one listed."""
    return f"Other ({category})"
