"""Produces graph inputs with the tools' own libraries, for graph/producers_test.go.

  python producers.py openlineage URL TOKEN   post run events with openlineage-python's HTTP transport
  python producers.py hera OUTDIR             write Argo manifests with Hera's to_yaml()

scripts/graph-producers-test.sh installs the pinned versions into a venv.
"""

import sys
import uuid
from datetime import datetime, timezone


def openlineage(url, token):
    from openlineage.client import OpenLineageClient
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.facet_v2 import (
        documentation_job,
        error_message_run,
        nominal_time_run,
        schema_dataset,
        tags_job,
    )
    from openlineage.client.transport.http import ApiKeyTokenProvider, HttpCompression, HttpConfig, HttpTransport

    producer = "https://github.com/nectar-dev/nectar/graph/testdata/producers"

    def client(compression):
        # As Airflow's provider configures it: type http, a url, the
        # default endpoint api/v1/lineage, an api_key auth.
        cfg = HttpConfig(url=url, auth=ApiKeyTokenProvider({"apiKey": token}), compression=compression, timeout=10.0)
        return OpenLineageClient(transport=HttpTransport(cfg))

    def now():
        return datetime.now(timezone.utc).isoformat()

    plain, gz = client(None), client(HttpCompression.GZIP)
    job = Job(
        namespace="recsys",
        name="train_food_recs",
        facets={
            "documentation": documentation_job.DocumentationJobFacet(description="Retrains the food recommender"),
            "tags": tags_job.TagsJobFacet(tags=[tags_job.TagsJobFacetFields(key="nectar.dev/models", value="food-recs@2019.02")]),
        },
    )
    features = InputDataset(
        namespace="s3://recsys-data",
        name="features/food-recs/2019-02-01.parquet",
        facets={
            "schema": schema_dataset.SchemaDatasetFacet(
                fields=[
                    schema_dataset.SchemaDatasetFacetFields(name="user_id", type="STRING"),
                    schema_dataset.SchemaDatasetFacetFields(name="dish", type="STRING"),
                ]
            )
        },
    )
    model = OutputDataset(namespace="s3://recsys-models", name="food-recs/2019.02/model.tar.gz")
    ok = str(uuid.uuid4())
    nominal = {"nominalTime": nominal_time_run.NominalTimeRunFacet(nominalStartTime=now())}
    plain.emit(RunEvent(eventType=RunState.START, eventTime=now(), run=Run(runId=ok, facets=nominal), job=job, producer=producer, inputs=[features]))
    gz.emit(RunEvent(eventType=RunState.RUNNING, eventTime=now(), run=Run(runId=ok), job=job, producer=producer))
    plain.emit(RunEvent(eventType=RunState.COMPLETE, eventTime=now(), run=Run(runId=ok), job=job, producer=producer, inputs=[features], outputs=[model]))
    failed = str(uuid.uuid4())
    plain.emit(RunEvent(eventType=RunState.START, eventTime=now(), run=Run(runId=failed), job=job, producer=producer))
    err = {"errorMessage": error_message_run.ErrorMessageRunFacet(message="CUDA out of memory", programmingLanguage="python")}
    gz.emit(RunEvent(eventType=RunState.FAIL, eventTime=now(), run=Run(runId=failed, facets=err), job=job, producer=producer))
    print(ok)
    print(failed)


def hera(outdir):
    from hera.workflows import Container, CronWorkflow, S3Artifact, Steps, Workflow

    def templates():
        train = Container(
            name="train",
            image="ghcr.io/acme/food-recs-trainer:2019.02",
            command=["python", "train.py"],
            inputs=[S3Artifact(name="features", path="/data/features.parquet", bucket="recsys-data", key="features/food-recs/2019-02-01.parquet")],
            outputs=[S3Artifact(name="model", path="/out/model.tar.gz", bucket="recsys-models", key="food-recs/2019.02/model.tar.gz")],
        )
        with Steps(name="main"):
            train()
        return train

    annotations = {"nectar.dev/models": "food-recs@2019.02"}
    with Workflow(generate_name="train-food-recs-", namespace="recsys", entrypoint="main", annotations=annotations) as w:
        templates()
    with open(f"{outdir}/workflow.yaml", "w") as f:
        f.write(w.to_yaml())
    with CronWorkflow(name="train-food-recs", namespace="recsys", schedule="0 4 * * 1", entrypoint="main", annotations=annotations) as c:
        templates()
    with open(f"{outdir}/cronworkflow.yaml", "w") as f:
        f.write(c.to_yaml())


if __name__ == "__main__":
    {"openlineage": openlineage, "hera": hera}[sys.argv[1]](*sys.argv[2:])
