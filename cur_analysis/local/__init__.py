"""The embedded default: local Spark with a Hive (Derby) metastore standing in for the Glue catalog."""
