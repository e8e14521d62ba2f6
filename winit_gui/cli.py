"""The command line: parsing for every subcommand, and ``winit-gui stats`` (which needs no Qt).

A bad flag, name or value exits with status 2 and one line naming the valid choices, never a
traceback: argparse does that for flags and choices, ``_fail`` for values that only the model
layer can judge (an initializer's parameters, ranges).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Sequence

from winit_gui import activations, datasets, initializers, optimizers, presets, theory
from winit_gui.settings import Settings
from winit_gui.training import Trainer

MAX_STEPS = 1_000_000
"""Training steps any subcommand takes at most: more would run for hours (a typo's extra zeros)."""
MAX_FPS = 100.0
"""A GIF's frame times are whole hundredths of a second."""

VIEWS = ("network", "activations", "saturation", "gradients", "loss", "boundary", "depth", "phase", "spectrum")
THEMES = ("dark", "light")


COMMANDS = "{stats,render,record}"
COMMAND_HINT = ("; the window itself takes the options in the usage above, and --gain, --init and the other "
                "settings are options of 'winit-gui stats'")
"""Said after a word that is not a command (argparse prints the usage, the window's options in it,
above the error). An option the window does not take leaves its value where argparse looks for a
command: ``winit-gui --gain 2`` said only "invalid choice: '2'"."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="winit-gui",
        description="See how neural-network weight initialization works.",
        epilog="Subcommands: stats, render, record (each has --help).",
        exit_on_error=False,  # parse() words its errors (see COMMAND_HINT)
    )
    _add_source_options(parser)
    parser.add_argument("--list-presets", action="store_true", help="print the lesson names, one a line")
    parser.add_argument("--theme", choices=THEMES, help="colour theme (default: dark)")
    sub = parser.add_subparsers(dest="command", metavar=COMMANDS)

    stats = sub.add_parser("stats", help="print the numbers behind the plots (no display needed)")
    stats.add_argument("--init", required=True, metavar="NAME", choices=initializers.available(),
                       help="initializer: " + ", ".join(initializers.available()))
    stats.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                       help="initializer parameter, e.g. value=0.5, stddev=1, mode=fan_out")
    stats.add_argument("--gain", type=float, default=1.0, help="weight-scale multiplier (default 1)")
    stats.add_argument("--activation", default="tanh", choices=activations.available())
    stats.add_argument("--depth", type=int, default=6, help="hidden layers (default 6)")
    stats.add_argument("--width", type=int, default=64, help="units per hidden layer (default 64)")
    stats.add_argument("--dataset", default="normal", choices=datasets.NAMES)
    stats.add_argument("--input-dim", type=int, default=0, help="input dimension of 'normal' (default: the width)")
    stats.add_argument("--samples", type=int, default=1000, help="samples in the statistics pass (default 1000)")
    stats.add_argument("--seed", type=int, default=0)
    stats.add_argument("--steps", type=int, default=0, help="training steps before measuring (default 0)")
    stats.add_argument("--lr", type=float, default=0.03)
    stats.add_argument("--batch-size", type=int, default=32)
    stats.add_argument("--optimizer", default="sgd", choices=optimizers.NAMES)
    stats.add_argument("--json", action="store_true", help="print one JSON object instead of a table")

    render = sub.add_parser("render", help="write figures of every view (no display needed)")
    _add_source_options(render)
    render.add_argument("--steps", type=int, default=0, help="training steps before rendering")
    render.add_argument("--out", required=True, metavar="DIR", help="folder for the images")
    render.add_argument("--scale", type=float, default=2.0, help="pixels per on-screen pixel, 1 to 4 (default 2)")
    render.add_argument("--theme", choices=THEMES, default="light")
    render.add_argument("--format", choices=("png", "svg", "both"), default="png")

    record = sub.add_parser("record", help="write an animation of training (no display needed)")
    _add_source_options(record)
    record.add_argument("--steps", type=int, required=True, help="training steps to record")
    record.add_argument("--out", required=True, metavar="FILE",
                        help="a .gif, an .mp4, or a folder for numbered PNG frames")
    record.add_argument("--view", choices=("window", *VIEWS), default="window")
    record.add_argument("--fps", type=float, default=15.0)
    record.add_argument("--scale", type=float, default=1.0, help="pixels per on-screen pixel, 1 to 4")
    record.add_argument("--theme", choices=THEMES, default="light")
    for command in (stats, render, record):
        command.set_defaults(command_parser=command)
    return parser


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--preset", metavar="NAME", help="open a lesson: " + ", ".join(presets.names()))
    group.add_argument("--load", metavar="FILE", help="open a saved experiment (.toml or .json)")


def parse(argv: Sequence[str] | None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except argparse.ArgumentError as err:
        parser.error(str(err) + (COMMAND_HINT if err.argument_name == COMMANDS else ""))
    # Later errors name the subcommand's usage ("winit-gui stats: error: ...").
    parser = getattr(args, "command_parser", parser)
    if getattr(args, "preset", None) and args.preset not in presets.names():
        parser.error(f"unknown preset {args.preset!r}; valid: {', '.join(presets.names())}")
    scale = getattr(args, "scale", None)
    if scale is not None and not 1.0 <= scale <= 4.0:  # NaN too
        parser.error(f"--scale must be between 1 and 4, got {scale:g}")
    steps = getattr(args, "steps", None)
    if steps is not None and not 0 <= steps <= MAX_STEPS:
        parser.error(f"--steps must be between 0 and {MAX_STEPS}, got {steps}")
    fps = getattr(args, "fps", None)
    if fps is not None and not 0 < fps <= MAX_FPS:
        parser.error(f"--fps must be above 0 and at most {MAX_FPS:g}, got {fps:g}")
    return parser, args


def stats_settings(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Settings:
    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--param takes KEY=VALUE, got {item!r}")
        if key.strip() == "gain":  # the initializer takes it, but here it is the weight scale's
            parser.error("--param gain: the weight scale is its own option; give it as --gain")
        params[key.strip()] = value.strip()
    try:
        return Settings(init=args.init, init_params=params, gain=args.gain, activation=args.activation,
                        depth=args.depth, width=args.width, dataset=args.dataset, input_dim=args.input_dim,
                        samples=args.samples, seed=args.seed, lr=args.lr, batch_size=args.batch_size,
                        optimizer=args.optimizer)
    except ValueError as err:
        parser.error(str(err))


def run_stats(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    settings = stats_settings(parser, args)
    trainer = Trainer(settings)
    trainer.train(args.steps)
    stats = trainer.measure().stats
    picture = trainer.initial_theory()  # of the initial weights, whatever the steps
    predicted = theory.predicted_preact_stds(picture)
    report = {
        "init": settings.init, "gain": settings.gain, "activation": settings.activation,
        "depth": settings.depth, "width": settings.width, "dataset": settings.dataset,
        "steps": trainer.step, "seed": settings.seed, "loss": _finite_or_none(stats.loss),
        "layers": [{**layer.as_json(), "theory_preact_std": _finite_or_none(std)}
                   for layer, std in zip(stats.layers, predicted)],
        **theory.as_json(picture),
    }
    if args.json:
        print(json.dumps(report, allow_nan=False))
    else:
        print(format_table(report))
    return 0


def format_table(report: dict) -> str:
    columns = [("layer", "index", "d"), ("kind", "kind", "s"), ("fan_in", "fan_in", "d"),
               ("fan_out", "fan_out", "d"), ("W std", "weight_std", "g"), ("z mean", "preact_mean", "g"),
               ("z std", "preact_std", "g"), ("a mean", "act_mean", "g"), ("a std", "act_std", "g"),
               ("saturated", "saturated_fraction", "g"), ("dead", "dead_fraction", "g"),
               ("grad std", "grad_std", "g"), ("unique", "unique_units", "d"),
               ("theory z std", "theory_preact_std", "g")]
    rows = [[title for title, _, _ in columns]]
    for layer in report["layers"]:
        rows.append([_cell(layer[key], kind) for _, key, kind in columns])
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    head = (f"{report['init']} (gain {report['gain']:g}), {report['activation']}, "
            f"{report['depth']} x {report['width']}, {report['dataset']}, seed {report['seed']}, "
            f"step {report['steps']}, loss {_cell(report['loss'], 'g')}, "
            f"chi1 {_cell(report['chi1'], 'g')} ({report['phase']})")
    lines = [head] + ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def _cell(value, kind: str) -> str:
    if value is None:
        return "n/a"
    return format(value, ".4g" if kind == "g" else kind)


def _finite_or_none(value: float):
    return value if math.isfinite(value) else None
