"""``cur-deploy``: ship the Glue wheel and job script to S3 and make the Glue job exist.

An admin tool beside ``cur-bootstrap``, on the same machinery (``awsplan``): ``plan`` only reads
and returns an immutable plan, ``apply`` carries out exactly those actions, then re-reads to
confirm nothing is left. Importing this package does nothing.
"""
