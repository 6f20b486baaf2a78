"""The ``provcheck eval`` commands: score provcheck on labelled corpora."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from provcheck.clikit import errors, jobs_option, settings_of, settings_options
from provcheck.report.output import write
from provcheck.settings import Settings


@click.group(name="eval")
def eval_group() -> None:
    """Score provcheck on labelled evaluation corpora."""


@eval_group.command(name="pan13")
@click.argument("corpus", type=click.Path())
@click.option("--sample", type=int, default=None,
              help="Pairs per obfuscation type (default: all).")
@click.option("--sample-seed", type=int, default=13, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
@settings_options
def eval_pan13(corpus: str, sample: int | None, sample_seed: int, fmt: str, **opts: Any) -> None:
    """PAN13 text alignment: precision, recall, granularity and plagdet per type.

    Scored twice: pair by pair (the aligner on each labelled pair), and end to end
    (one compare over the sampled pairs' documents, the report's regions as
    detections: the number a user gets). CORPUS is pan13-train.tar.gz or the folder
    it unpacks to.

    \b
    Example:
      provcheck eval pan13 ../shared/data/pan13-train.tar.gz --sample 20
    """
    import json

    from provcheck.eval.pan13 import evaluate, format_scores

    with errors():
        settings = settings_of(opts)
        result = evaluate(corpus, settings, sample=sample, sample_seed=sample_seed)
        text = json.dumps(result, indent=2) if fmt == "json" else format_scores(result)
        click.echo(text)


@eval_group.command(name="polnear")
@click.argument("corpus", type=click.Path())
@click.option("--split", type=click.Choice(["train", "dev"]), default="dev", show_default=True)
@click.option("--limit", type=int, default=None, help="Score only the first N articles.")
@jobs_option
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
def eval_polnear(corpus: str, split: str, limit: int | None, jobs: int, fmt: str) -> None:
    """PolNeAR: quotation content spans (overlap and exact) and speaker accuracy.

    CORPUS is polnear-train-dev.tar.gz or the folder it unpacks to.

    \b
    Example:
      provcheck eval polnear ../shared/data/polnear-train-dev.tar.gz --split dev
    """
    import json

    from provcheck.eval.polnear import evaluate, format_scores

    with errors():
        result = evaluate(corpus, split, jobs=jobs, limit=limit)
        click.echo(json.dumps(result, indent=2) if fmt == "json" else format_scores(result))


@eval_group.command(name="meter")
@click.argument("corpus", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
@settings_options
def eval_meter(corpus: str, fmt: str, **opts: Any) -> None:
    """METER: press-agency copy vs the newspaper stories derived from it or not.

    Binary macro-F1 of the verdicts (derived: a copy, duplicate, paraphrase or
    syndicated pair with a PA text of the story), AUC of coverage for derived vs non and
    wholly vs partially, beside word-trigram containment in the same run. CORPUS is
    meter-dev.tar.gz or a folder of the same layout.

    \b
    Example:
      provcheck eval meter ../shared/data/meter-dev.tar.gz
    """
    import json

    from provcheck.eval.meter import evaluate, format_scores

    with errors():
        result = evaluate(corpus, settings_of(opts))
        click.echo(json.dumps(result, indent=2) if fmt == "json" else format_scores(result))


@eval_group.command(name="wire")
@click.argument("corpus", type=click.Path())
@click.option("--meta", type=click.Path(),
              help="The manifest (path, outlet, published) of a folder of articles.")
@click.option("--labels", help="Judged pairs to score against: a CSV (a,b,relation,origin,"
              "source,reason) or a bundled set's name, news-wire-dev.")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
@settings_options
def eval_wire(corpus: str, meta: str | None, labels: str | None, fmt: str,
              **opts: Any) -> None:
    """Multi-outlet news pages: verdicts against the 7-grams and wire credits the texts
    share.

    Related pairs vs pairs sharing 20 % of a side; the share of reuse verdicts on pairs
    sharing under 5 % of either side; how pairs printing one wire's credit and sharing
    most of their text are told; with --labels, the verdicts against judged pairs.
    CORPUS is news-wire-dev.tar.gz, a folder holding articles/ and meta.csv, or a folder
    of articles with --meta.

    \b
    Example:
      provcheck eval wire ../shared/data/news-wire-dev.tar.gz --labels news-wire-dev
      provcheck eval wire pages/ --meta pages.csv
    """
    import json

    from provcheck.eval.wire import evaluate, format_scores

    with errors():
        result = evaluate(corpus, meta, settings_of(opts), labels)
        click.echo(json.dumps(result, indent=2) if fmt == "json" else format_scores(result))


@eval_group.command(name="fit")
@click.option("--data", type=click.Path(file_okay=False), default="../shared/data",
              show_default=True, help="The folder of the labelled corpora (tarballs).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the fitted model here (provcheck/data/verdict-model.json to ship "
                   "it).")
@click.option("--version", "version", default=None,
              help="The new model's version (default: today's date).")
@click.option("--mutated", type=int, default=400, show_default=True,
              help="Real articles reused by each kind of mutation in turn.")
@jobs_option
def eval_fit(data: str, output: str | None, version: str | None, mutated: int,
             jobs: int) -> None:
    """Fit the verdict model on the labelled data; print its weights and
    cross-validated scores.

    METER dev, PAN13 train, the judged news-wire dev pairs and real PolNeAR articles
    reused by realistic mutations; each data set weighs the same.

    \b
    Example:
      provcheck eval fit --data ../shared/data -o provcheck/data/verdict-model.json
    """
    import datetime
    import json

    from provcheck.eval import examples as labelled
    from provcheck.eval import fit

    with errors():
        examples = labelled.collect(Path(data), Settings(jobs=jobs), mutated=mutated,
                                    progress=lambda line: click.echo(line, err=True))
        models = fit.fit_all(examples)
        scores = fit.cross_validate(examples)
        click.echo(fit.format_model(models))
        click.echo(fit.format_scores(scores))
        if output:
            stamp = version or datetime.date.today().isoformat()
            write(output, json.dumps(fit.model_file(models, scores, fit.counts_of(examples),
                                                     stamp), indent=1) + "\n")
            click.echo(f"wrote {output} (version {stamp})", err=True)
