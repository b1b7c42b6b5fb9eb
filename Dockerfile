# The test suite inside the AWS Glue image: the runtime's own Spark, Python 3.11 and awsglue (with
# the Glue jars, so the GlueContext tests in tests/glue run here and only here).
#   make docker-test    # = docker build --tag cur-analysis-glue5-tests . && docker run --rm ...
#
# Honest note on the version: AWS publishes no image for Glue 5.1 or 6.0. The tag
# public.ecr.aws/glue/aws-glue-libs:5 is Glue 5.0 (Spark 3.5.4, Python 3.11, pandas 2.2.2,
# pyarrow 17.0.0, numpy 1.26.4, boto3 1.34.131), not the Glue 5.1 that `deploy` targets.
# The digest below is the one a public repository records for this tag as "Glue 5 local-development
# image, Spark 3.5.4-amzn-0 / Python 3.11"; it could not be checked against the registry here
# (no Docker engine). Another public Dockerfile pins sha256:0e7ad4c4... as Glue 5.0: the tag has
# moved over time, so bump the digest on purpose, after `docker pull` shows the new one.
FROM public.ecr.aws/glue/aws-glue-libs:5@sha256:a54bd25fb72c55a2f28d07656a3cda943a042f345cc25f4c2c170667be864f01

# The image runs as user "hadoop" and puts Spark's pyspark and the real awsglue on python3.11's
# path: install only what it lacks, for that user, with the image's own python3.11. The package
# goes in with --no-deps (the image has boto3); the test tools are pinned as in pyproject's dev
# extra and constraints/glue-5.1.txt. Never pyspark or awsglue from PyPI here: they would shadow
# the runtime's own.
WORKDIR /home/hadoop/workspace
COPY --chown=hadoop:hadoop pyproject.toml README.md ./
COPY --chown=hadoop:hadoop cur_analysis ./cur_analysis
COPY --chown=hadoop:hadoop bootstrap ./bootstrap
COPY --chown=hadoop:hadoop deploy ./deploy
COPY --chown=hadoop:hadoop awsplan ./awsplan
RUN python3.11 -m pip install --user --no-cache-dir --no-deps . \
    && python3.11 -m pip install --user --no-cache-dir \
        pytest==8.4.2 chispa==0.12.0 "moto[server]==5.2.5" duckdb==1.4.4

# The FinOps Foundation's FOCUS validator and converter, each in its own virtualenv beside the
# project as `make test` builds them (their numpy/pyarrow/polars pins clash with Glue's); tests/focus
# runs them in subprocesses.
COPY --chown=hadoop:hadoop constraints/focus-validator.txt constraints/focus-converter.txt ./constraints/
RUN python3.11 -m venv .venv-focus-validator \
    && .venv-focus-validator/bin/python -m pip install --no-cache-dir --no-deps \
        --requirement constraints/focus-validator.txt \
    && python3.11 -m venv .venv-focus-converter \
    && .venv-focus-converter/bin/python -m pip install --no-cache-dir --no-deps \
        --requirement constraints/focus-converter.txt

COPY --chown=hadoop:hadoop jobs ./jobs
COPY --chown=hadoop:hadoop examples ./examples
COPY --chown=hadoop:hadoop tests ./tests

# tests/glue runs (never skips) in this image and never calls AWS: catalog reads go to local
# files through a stand-in (tests/glue/support_local_glue.py says what it does not cover); the local
# Derby catalog stands in for the Glue Data Catalog and Lake Formation, which the image cannot use.
ENV CUR_ANALYSIS_GLUE_CONTAINER=1 \
    CUR_ANALYSIS_HOME=/tmp/cur-analysis \
    AWS_EC2_METADATA_DISABLED=true

# The image's entrypoint runs "-c <command>" in a shell (as in AWS's docs: docker run ... -c "...").
CMD ["-c", "python3.11 -m pytest -p no:cacheprovider"]
