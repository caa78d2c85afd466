"""The command line: a click group of thin commands that parse options, call the library and turn its errors into messages.

Each command lives in the module of its family (corpus, sessions, models, ...) and is added to the group here.
"""

from __future__ import annotations

import click

from annotator import __version__
from annotator.cli.agreement import agree_command
from annotator.cli.browse import browse_metadata_command
from annotator.cli.corpus import export_command, import_command, stats_command
from annotator.cli.models import evaluate_command, suggest_command
from annotator.cli.serve import serve_command
from annotator.cli.sessions import annotate_command, merge_command, review_command
from annotator.cli.training import train_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annotator")
def cli() -> None:
    """Annotate entities and claims in news articles, from the terminal, into SQLite.

    \b
    Start here:
      annotator annotate examples/articles.jsonl     open the annotation screen
      annotator import FILE... --dataset news        bring in documents
      annotator export --dataset news --annotator me write labels out
    """


for command in (
    import_command,
    export_command,
    stats_command,
    annotate_command,
    review_command,
    serve_command,
    merge_command,
    suggest_command,
    evaluate_command,
    agree_command,
    train_command,
    browse_metadata_command,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="annotator")
