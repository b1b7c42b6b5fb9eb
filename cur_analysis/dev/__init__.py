"""Development tools, not shipped to Glue (the job wheel excludes ``cur_analysis.dev*``)."""
