"""ResourceType of a line: the kinds of resource AWS's native FOCUS export names.

Data, not code. In a month of AWS's export, anonymized
(github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS-Sample-Data, ``FOCUS-1.0/focus_sample.csv``,
CC BY 4.0), ResourceType is set on four kinds of line and null on every other, resource id or
not: ``instance`` on EC2 instance hours of an ``i-`` id (not on that instance's data transfer or
EBS-optimized hours), ``volume`` on EBS volume storage of a ``vol-`` id (not on its IOPS or
throughput), ``bucket`` on every S3 line with a resource id (the bucket's name), and
``distribution`` on CloudFront lines of a distribution ARN (not on Lambda@Edge). Each row of
``RESOURCE_TYPES`` is one of them: the service, the form of the resource id, and the usage types
it holds for (any line of the service when there are none).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceTypeRule:
    """Lines of ``product_code`` whose resource id matches the regular expression
    ``resource_id`` and, when ``usage_types`` lists any, whose usage type contains one."""

    product_code: str
    resource_id: str
    usage_types: tuple[str, ...]
    resource_type: str


RESOURCE_TYPES: tuple[ResourceTypeRule, ...] = (
    ResourceTypeRule(
        "AmazonEC2", r"^i-[0-9a-f]+$", ("BoxUsage", "SpotUsage", "DedicatedUsage"), "instance"
    ),
    ResourceTypeRule("AmazonEC2", r"^vol-[0-9a-f]+$", ("EBS:VolumeUsage",), "volume"),
    ResourceTypeRule("AmazonS3", r".", (), "bucket"),
    ResourceTypeRule(
        "AmazonCloudFront", r"^arn:aws[a-z-]*:cloudfront::[0-9]+:distribution/", (), "distribution"
    ),
)
