"""ServiceCategory of each AWS service, and of the lines AWS's export puts apart from their service.

Data, not code. ``SERVICE_CATEGORIES``: the FOCUS category of a ``line_item_product_code``, the
table focus-converter 1.0.0 ships as
``focus_converter/conversion_configs/aws/mapping_files/aws_category_mapping.csv``
(finopsfoundation/focus_converters, MIT), grouped here by category, with the categories AWS's
native FOCUS export gives where the two differ: KMS (``awskms``) is Identity, Step Functions
(``AmazonStates``) Compute, ECS, ECR and EKS Other (a month of AWS's export, anonymized:
github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS-Sample-Data, ``FOCUS-1.0/focus_sample.csv``,
CC BY 4.0). Added to the converter's codes: EventBridge (``AWSEvents``, which the converter
lists by name), WorkSpaces and Support, each under the category of its FOCUS 1.2 subcategory
(``service_subcategories``).

``LINE_CATEGORIES``: the lines of one service AWS's export places in another category, matched by
usage type or product family; in that sample EC2's EBS volumes, snapshots, IOPS, throughput and
EBS-optimized hours are Storage, the rest of EC2 (instances, NAT gateways, data transfer) Compute.

Every category is one of FOCUS's ServiceCategory values; a product code not listed is ``Other``
(FOCUS, ServiceCategory: "Other" for a service that fits no other category).
"""

from __future__ import annotations

from dataclasses import dataclass

OTHER = "Other"
STORAGE = "Storage"

_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "AI and Machine Learning": (
        "AWSDeepRacer",
        "AmazonA2I",
        "AmazonBedrock",
        "AmazonCodeWhisperer",
        "AmazonDevOpsGuru",
        "AmazonEI",
        "AmazonForecast",
        "AmazonFraudDetector",
        "AmazonHealthLake",
        "AmazonKendra",
        "AmazonLex",
        "AmazonLookoutEquipment",
        "AmazonLookoutMetrics",
        "AmazonLookoutVision",
        "AmazonMonitron",
        "AmazonOmics",
        "AmazonPersonalize",
        "AmazonPolly",
        "AmazonRekognition",
        "AmazonSageMaker",
        "AmazonTextract",
        "comprehend",
        "transcribe",
        "translate",
    ),
    "Analytics": (
        "AWSCleanRooms",
        "AWSDataExchange",
        "AWSGlue",
        "AWSGlueElasticViews",
        "AWSLakeFormation",
        "AmazonAthena",
        "AmazonCloudSearch",
        "AmazonES",
        "AmazonFinSpace",
        "AmazonKinesis",
        "AmazonKinesisAnalytics",
        "AmazonKinesisFirehose",
        "AmazonMSK",
        "AmazonQuickSight",
        "ElasticMapReduce",
        "datapipeline",
    ),
    "Business Applications": (
        "A4B",
        "AWSSupplyChain",
        "AWSWickr",
        "AWSWisdom",
        "AmazonChime",
        "AmazonChimeBusinessCalling",
        "AmazonChimeCallMe",
        "AmazonChimeCallMeAMCS",
        "AmazonChimeDialInAMCS",
        "AmazonChimeDialin",
        "AmazonChimeFeatures",
        "AmazonChimeServices",
        "AmazonChimeVoiceConnector",
        "AmazonHoneycode",
        "AmazonPinpoint",
        "AmazonSES",
        "AmazonSWF",
        "AmazonWAM",
        "AmazonWorkDocs",
        "AmazonWorkLink",
        "AmazonWorkMail",
        "AmazonWorkSpacesWeb",
        "Compute",
        "ContactLensAmazonConnect",
        "CustomerProfiles",
    ),
    "Compute": (
        "AWS App2Container*",
        "AWS Auto Scaling*",
        "AWS Batch*",
        "AWS Compute Optimizer*",
        "AWS Copilot*",
        "AWS EC2 Auto Scaling*",
        "AWS Elastic Beanstalk*",
        "AWS Fargate*",
        "AWS Local Zones*",
        "AWS Serverless Application Repository*",
        "AWS Wavelength*",
        "AWSAppRunner",
        "AWSLambda",
        "AWSOutposts",
        "Amazon EC2 Spot Instances*",
        "AmazonAppStream",
        "AmazonEC2",
        "AmazonLightsail",
        "AmazonStates",
        "AmazonWorkSpaces",
        "ComputeSavingsPlans",
        "Red Hat OpenShift Service on AWS*",
        "SimSpaceWeaver",
        "VMwareCloudOnAWS",
    ),
    "Databases": (
        "AmazonDocDB",
        "AmazonDynamoDB",
        "AmazonElastiCache",
        "AmazonMCS",
        "AmazonMemoryDB",
        "AmazonNeptune",
        "AmazonRDS",
        "AmazonRedshift",
        "AmazonTimestream",
    ),
    "Developer Tools": (
        "AWSAmplify",
        "AWSAppSync",
        "AWSCodeArtifact",
        "AWSCodeCommit",
        "AWSCodeDeploy",
        "AWSCodePipeline",
        "AWSDeviceFarm",
        "CodeBuild",
        "CodeCatalyst",
        "CodeGuru",
    ),
    "Identity": ("awskms",),
    "Integration": (
        "AWSAppFabric",
        "AWSEvents",
        "AWSQueueService",
        "Amazon EventBridge",
        "AmazonMQ",
        "AmazonMWAA",
        "AmazonSNS",
        "AppFlow",
    ),
    "Internet of Things": (
        "AWSGreengrass",
        "AWSIoT",
        "AWSIoT1Click",
        "AWSIoTAnalytics",
        "AWSIoTEvents",
        "AWSIoTFleetWise",
        "AWSIoTSiteWise",
        "AWSIoTThingsGraph",
        "IoTDeviceDefender",
        "IoTDeviceManagement",
        "IoTTwinMaker",
    ),
    "Management and Governance": (
        "AWS Cost and Usage Report*",
        "AWSBillingConductor",
        "AWSBudgets",
        "AWSCloudFormation",
        "AWSCloudTrail",
        "AWSConfig",
        "AWSCostExplorer",
        "AWSResilienceHub",
        "AWSServiceCatalog",
        "AWSSupportBusiness",
        "AWSSupportDeveloper",
        "AWSSupportEnterprise",
        "AWSSystemsManager",
        "AmazonCloudWatch",
        "AmazonGrafana",
        "AmazonPrometheus",
        "OpsWorks",
        "Reserved Instance (RI) Reporting*",
        "Savings Plans*",
    ),
    "Media": (
        "AWSElementalMediaConvert",
        "AWSElementalMediaLive",
        "AWSElementalMediaPackage",
        "AWSElementalMediaStore",
        "AWSElementalMediaTailor",
        "AWSMediaConnect",
        "AmazonETS",
        "AmazonIVS",
        "AmazonKinesisVideo",
        "nimble",
    ),
    "Migration": (
        "AWSApplicationMigrationSvc",
        "AWSDataSync",
        "AWSDatabaseMigrationSvc",
        "AWSM2",
        "AWSTransfer",
    ),
    "Networking": (
        "AWS App Mesh*",
        "AWS PrivateLink*",
        "AWS Transit Gateway*",
        "AWS VPN*",
        "AWS Verified Access*",
        "AWSCloudMap",
        "AWSCloudWAN",
        "AWSDataTransfer",
        "AWSDirectConnect",
        "AWSELB",
        "AWSGlobalAccelerator",
        "AWSNetworkFirewall",
        "AWSPrivate5G",
        "AmazonApiGateway",
        "AmazonCloudFront",
        "AmazonRoute53",
        "AmazonVPC",
    ),
    "Other": (
        "AWSGroundStation",
        "AmazonECR",
        "AmazonECRPublic",
        "AmazonECS",
        "AmazonEKS",
        "AWSRoboMaker",
        "AmazonBraket",
        "AmazonManagedBlockchain",
        "AmazonQLDB",
    ),
    "Security": (
        "AWSCertificateManager",
        "AWSDirectoryService",
        "AWSFMS",
        "AWSSecretsManager",
        "AWSSecurityHub",
        "AWSShield",
        "AmazonCognito",
        "AmazonCognitoSync",
        "AmazonDetective",
        "AmazonGuardDuty",
        "AmazonInspector",
        "AmazonInspectorV2",
        "AmazonMacie",
        "AmazonSecurityLake",
        "AmazonVerifiedPermissions",
        "CloudHSM",
        "auditmanager",
        "awswaf",
    ),
    "Storage": (
        "AWSBackup",
        "AWSElasticDisasterRecovery",
        "AWSStorageGateway",
        "AWSStorageGatewayDeepArchive",
        "AmazonEBS",
        "AmazonEFS",
        "AmazonFSx",
        "AmazonGlacier",
        "AmazonS3",
        "AmazonS3GlacierDeepArchive",
        "IngestionServiceSnowball",
        "SnowballExtraDays",
    ),
}

# line_item_product_code -> ServiceCategory
SERVICE_CATEGORIES: dict[str, str] = {
    code: category for category, codes in _BY_CATEGORY.items() for code in codes
}


@dataclass(frozen=True)
class LineCategory:
    """Lines of ``product_code`` whose usage type contains one of ``usage_types`` or whose product
    family is one of ``product_families``: their category and subcategory."""

    product_code: str
    usage_types: tuple[str, ...]
    product_families: tuple[str, ...]
    category: str
    subcategory: str


# The first row a line matches decides; lines no row matches take their service's category.
LINE_CATEGORIES: tuple[LineCategory, ...] = (
    LineCategory("AmazonEC2", ("EBS:Snapshot",), ("Storage Snapshot",), STORAGE, "Backup Storage"),
    LineCategory(
        "AmazonEC2",
        ("EBS:", "EBSOptimized"),
        ("Storage", "System Operation", "Provisioned Throughput"),
        STORAGE,
        "Block Storage",
    ),
)
