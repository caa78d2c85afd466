"""annotator browse-metadata: datasette metadata for the database, so that browsing it in a web page reads well."""

from __future__ import annotations

from pathlib import Path

import click

from annotator import display
from annotator.cli.options import dataset_option, db_option, friendly_errors, open_store


@click.command("browse-metadata")
@db_option
@dataset_option(required=False)
@friendly_errors
def browse_metadata_command(db_path: Path, dataset: str | None) -> None:
    """Print datasette metadata for the database: what each table and view holds, labels for its foreign keys, facets,
    and what each label of the datasets' schemas (or of --dataset's) means. Datasette files metadata under the
    database's file name, which this takes from --db.

    \b
    Example:
      annotator browse-metadata --db annotations.db > metadata.json
      datasette annotations.db --metadata metadata.json
    """
    from annotator.store.browse import datasette_metadata

    with open_store(db_path) as store:
        names = [dataset] if dataset is not None else store.dataset_names()
        schemas = [store.schema(name) for name in names]
    click.echo(display.json_text(datasette_metadata(db_path, schemas), indent=2))
