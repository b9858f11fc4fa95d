"""`python -m modelrace` runs the CLI."""

from modelrace.cli.main import run

run()
