"""The job role's Lake Formation grants: their exact shapes, one per named table."""

from __future__ import annotations

from awsplan.lakeformation import LfResource
from bootstrap.config import parse_config
from bootstrap.grants import JOB_ROLE_ALLOWED, job_role_grants
from tests.bootstrap.support import JOB_ROLE_ARN, A, B, config_data

CONFIG = parse_config(config_data("o-abcdefghij"))


def test_job_role_grant_shapes_are_exact() -> None:
    grants = job_role_grants(CONFIG.producer, CONFIG.consumer)
    assert [g.request() for g in grants] == [
        {
            "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
            "Resource": {"Database": {"CatalogId": B, "Name": "cur_org_linked"}},
            "Permissions": ["DESCRIBE"],
            "PermissionsWithGrantOption": [],
        },
        {
            "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
            "Resource": {"Database": {"CatalogId": A, "Name": "cur_org"}},
            "Permissions": ["DESCRIBE"],
            "PermissionsWithGrantOption": [],
        },
        {
            "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
            "Resource": {"Table": {"CatalogId": A, "DatabaseName": "cur_org", "TableWildcard": {}}},
            "Permissions": ["DESCRIBE", "SELECT"],
            "PermissionsWithGrantOption": [],
        },
    ]
    assert {"DESCRIBE", "SELECT"} == JOB_ROLE_ALLOWED


def test_named_tables_give_one_grant_each() -> None:
    config = parse_config(config_data("o-abcdefghij", producer={"tables": ["legacy_all", "t2"]}))
    tables = [g.resource for g in job_role_grants(config.producer, config.consumer)][2:]
    assert tables == [LfResource(A, "cur_org", table="legacy_all"), LfResource(A, "cur_org", "t2")]
