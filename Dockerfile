# The test suite inside the AWS Glue 5 image: the runtime's own Spark 3.5, Python 3.11 and awsglue
# (with the Glue jars, so the GlueContext tests in tests/glue run here and only here).
#   make docker-test    # = docker build --tag cur-analysis-glue5-tests . && docker run --rm ...
FROM public.ecr.aws/glue/aws-glue-libs:5

# The image runs as user "hadoop" and puts Spark's pyspark and the real awsglue on python3's path:
# install only what it lacks, for that user. The package goes in with --no-deps (the image has
# boto3); the test tools are pinned as in pyproject's dev extra. Never pyspark or awsglue from
# PyPI here: they would shadow the runtime's own.
WORKDIR /home/hadoop/workspace
COPY --chown=hadoop:hadoop pyproject.toml README.md ./
COPY --chown=hadoop:hadoop cur_analysis ./cur_analysis
COPY --chown=hadoop:hadoop bootstrap ./bootstrap
COPY --chown=hadoop:hadoop deploy ./deploy
COPY --chown=hadoop:hadoop awsplan ./awsplan
RUN python3 -m pip install --user --no-cache-dir --no-deps . \
    && python3 -m pip install --user --no-cache-dir \
        pytest==8.4.2 chispa==0.12.0 "moto[server]==5.2.5" duckdb==1.4.4

COPY --chown=hadoop:hadoop jobs ./jobs
COPY --chown=hadoop:hadoop examples ./examples
COPY --chown=hadoop:hadoop tests ./tests

# tests/glue runs (never skips) in this image; the local Derby catalog stands in for Lake
# Formation, which the image cannot use.
ENV CUR_ANALYSIS_GLUE_CONTAINER=1 \
    CUR_ANALYSIS_HOME=/tmp/cur-analysis

# The image's entrypoint runs "-c <command>" in a shell (as in AWS's docs: docker run ... -c "...").
CMD ["-c", "python3 -m pytest -p no:cacheprovider"]
