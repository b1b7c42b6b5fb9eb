"""The embedded default: local Spark, a Hive (Derby) metastore standing in for the Glue catalog."""
