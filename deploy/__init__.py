"""``cur-analysis deploy``: ship the wheel and job script to S3 and make the Glue job exist.

Same plan / apply style as ``cur-bootstrap`` and built on its machinery (``awsplan.plan``,
``awsplan.aws``): ``plan`` only reads and returns an immutable plan, ``apply`` carries out exactly
those actions, then re-reads to confirm nothing is left. Importing this package does nothing.
"""
