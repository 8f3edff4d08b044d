"""The ``wxtime`` command line.

Every subcommand reads files through the same validator as the Python API;
bad input ends with a message naming the file, row and column on stderr and
exit status 2 (no traceback). Outputs are written atomically.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import InputError, PushDataError
from .i18n import ARGPARSE_WORDS, LANGS, cli_help, t

EXIT_BAD_INPUT = 2
_FILE_HELP = (
    "the data, one or several files or folders: a push table (CSV/Excel/Parquet/JSON), the backend's "
    "已通知内容 export (.xlsx/.xls), datacube API payloads, and optionally a send log or the hourly "
    "流量分析 export / getuserreadhour payloads (send times)"
)


def _print_json(value) -> None:
    """One JSON object on stdout: NumPy numbers as numbers, NaN as null (strict JSON)."""
    from ._display import json_ready

    print(json.dumps(json_ready(value), ensure_ascii=False, allow_nan=False, default=str))


def _number(kind, accept, requirement: str):
    """An argparse type: a number of ``kind`` that ``accept`` accepts, else a clear message."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {requirement}, not {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"must be {requirement}, not {text}")
        return value

    return parse


_positive_int = _number(int, lambda v: v >= 1, "a whole number of at least 1")
_non_negative_int = _number(int, lambda v: v >= 0, "a whole number of 0 or more")
_positive_float = _number(float, lambda v: v > 0, "greater than 0")
_non_negative_float = _number(float, lambda v: v >= 0, "0 or more")
_probability = _number(float, lambda v: 0 < v < 1, "between 0 and 1")
_year = _number(int, lambda v: 1990 <= v <= 2100, "a year such as 2024")


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    """The input options every command that reads pushes shares (defined once, here)."""
    group = parser.add_argument_group("reading the data")
    group.add_argument(
        "--columns",
        help="map wxtime names to your headers, e.g. delivered=sent,slot=hour (default: known aliases)",
    )
    group.add_argument(
        "--send-times",
        metavar="LOG",
        help="a send log (CSV/Excel: dates, msgids or titles, and times): for exports and API payloads "
        "that give dates only",
    )
    group.add_argument(
        "--slot",
        action="append",
        metavar="SLOT",
        help="state the send time: 20:30 for every push, or 2024-06-01..2024-06-30=20:30 for a date "
        "range (repeatable)",
    )
    group.add_argument("--year", type=_year, help="year of dates written without one (6月3日)")
    group.add_argument(
        "--date-format",
        help="order of day and month when dates could be either, e.g. %%m/%%d/%%Y or %%d/%%m/%%Y",
    )
    group.add_argument(
        "--sheet", help="read only this sheet of a workbook (default: every sheet with pushes)"
    )
    group.add_argument(
        "--encoding",
        help="file encoding (default: detected; UTF-8, else GBK as Excel saves in China, or UTF-16)",
    )
    group.add_argument("--sep", help="CSV delimiter (default: detected)")
    group.add_argument(
        "--tz", default="Asia/Shanghai", help="time zone of send times without one (default: %(default)s)"
    )
    group.add_argument(
        "--age-hours",
        type=_positive_float,
        help="compare every push this many hours after sending (API payloads; default 48, when opens "
        "are essentially complete); younger pushes are left out and listed",
    )
    group.add_argument(
        "--slot-freq",
        help="force the slot grid, e.g. 30min (default: slots inferred from the send times: "
        "07:29:40 is 07:30)",
    )
    group.add_argument(
        "--positions",
        choices=["headline", "all"],
        default="headline",
        help="a push of several articles counts its headline (default) or all articles summed",
    )
    group.add_argument(
        "--loose-funnel",
        action="store_true",
        help="'read' counts all reads (shares, Moments): do not require read <= opened",
    )


def _start_day(text: str) -> str:
    """``--start``: 2024-12-01, 2024年12月1日 or 12月1日; not in the past (Beijing time)."""
    import datetime as dt

    from .io.times import parse_day

    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    day = parse_day(text, today=today, what="--start")
    if day < today:
        raise InputError(
            f"--start {text} is in the past ({day.isoformat()}): a schedule starts today or later "
            f"(e.g. --start {(today + dt.timedelta(days=1)).isoformat()})"
        )
    return day.isoformat()


def _add_next_step(parser: argparse.ArgumentParser) -> None:
    """The options of the next step, shared by every command that shows it (defined once)."""
    group = parser.add_argument_group("the next step")
    group.add_argument(
        "--account",
        choices=["subscription", "service"],
        default="subscription",
        help="kind of official account: a subscription account (订阅号) pushes once a day; a service "
        "account's (服务号) followers get 4 mass pushes a month, and only it can split its audience",
    )
    group.add_argument(
        "--max-loss",
        type=_positive_float,
        metavar="PP",
        help="risk you accept when choosing a slot that is not settled yet: its expected loss in "
        "percentage points of the rate (default: 5%% of the leading slot's rate)",
    )
    group.add_argument(
        "--start",
        help="first day of the schedule: 2024-12-01, 2024年12月1日 or 12月1日 (default: tomorrow)",
    )
    group.add_argument(
        "--days", type=_positive_int, default=28, help="days the schedule covers (default: %(default)s)"
    )


def _step_options(args) -> dict:
    """``decide`` keywords from the next-step options."""
    return {
        "account": args.account,
        "max_loss": args.max_loss / 100 if args.max_loss is not None else None,
        "start": _start_day(args.start) if args.start else None,
        "schedule_days": args.days,
    }


def _print_schedule(step, lang: str, rows: int = 14) -> None:
    """The first ``rows`` days of the next step's schedule, in ``lang``."""

    print(
        "\n"
        + t(
            "cli.schedule",
            lang,
            days=min(rows, len(step.schedule)),
            account=t(f"account.{step.account.kind}", lang),
        )
    )
    print(step.schedule_table(lang).head(rows).to_string(index=False))


def _add_metric(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metric",
        choices=["open", "read", "read_through", "click", "share"],
        default="open",
        help="open = opened/delivered, read = read/delivered, read_through = read/opened, ...",
    )


def _add_common(parser: argparse.ArgumentParser, json: bool = True) -> None:
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of everything random (echoed in the output)"
    )
    parser.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="language of every word: summary, tables, plots, page",
    )
    if json:
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def _read(args) -> object:
    from .io import read

    return read(args.files, **_read_options(args))


def _cmd_validate(args) -> int:
    table = _read(args)
    load = table.load
    info = {
        "files": [str(f) for f in args.files],
        "pushes": load["pushes"],
        "rows": len(table.frame),
        "level": table.level,
        "first": load["first"],
        "last": load["last"],
        "slots": load["slots"],
        "slot_pushes": load["slot_pushes"],
        "totals": load["totals"],
        "time_sources": load["time_sources"],
        "skipped": load["skipped"],
        "notes": load.get("notes", []),
        "articles_grouped": load.get("articles_grouped", 0),
        "age_hours": load.get("age_hours"),
        "columns": list(table.frame.columns),
        "read": load.get("files", []),
    }
    if args.json:
        _print_json(info)
        return 0

    lang = args.lang
    print(
        t(
            "cli.validate.ok",
            lang,
            source=table.source,
            pushes=info["pushes"],
            level=t(f"level.{table.level}", lang),
        )
    )
    if info["first"] is not None:
        print("  " + t("cli.validate.dates", lang, first=info["first"], last=info["last"]))
    print(
        "  "
        + t("cli.validate.slots", lang, slots=", ".join(f"{s} ({n})" for s, n in info["slot_pushes"].items()))
    )
    for source, n in info["time_sources"].items():
        print("  " + t("cli.validate.time_source", lang, n=n, source=t(f"time_source.{source}", lang)))
    for note in info["notes"]:
        print(f"  {note}")
    if info["articles_grouped"]:
        how = t(f"cli.validate.positions.{load.get('positions', args.positions)}", lang)
        print("  " + t("cli.validate.articles", lang, n=info["articles_grouped"], how=how))
    if info["age_hours"]:
        print("  " + t("cli.validate.age", lang, age=f"{info['age_hours']:g}"))
    from .i18n import skipped_reason

    for reason, count in info["skipped"].items():
        why = skipped_reason(reason, lang, info["age_hours"])
        print("  " + t("cli.validate.left_out", lang, n=count, reason=why))
    return 0


def _slot_table(table, lang: str = "en") -> str:
    """A per-slot table for the terminal: rates as percentages, losses in pp, no index, headers
    in the chosen language."""
    import pandas as pd

    from .i18n import MESSAGES, percent, pp

    out = table.copy()
    for column in ("pooled_rate", "rate", "ci_low", "ci_high", "rate_shrunk", "shrunk_low", "shrunk_high"):
        if column in out.columns:
            out[column] = out[column].map(lambda v: percent(v, 2))
    if "expected_loss" in out.columns:
        out["expected_loss"] = out["expected_loss"].map(lambda v: pp(v, 2, lang))
    for column in ("p_best", "share_tomorrow"):
        if column in out.columns:  # one percentage, as the page shows it
            out[column] = out[column].map(lambda v: "—" if pd.isna(v) else percent(v, 0))
    names = {c: MESSAGES[c][lang] for c in out.columns if c in MESSAGES and lang in MESSAGES[c]}
    return out.rename(columns=names).to_string(index=False)


def _format_p(value) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3g}"


def _cmd_analyze(args) -> int:
    from .decision import decide

    options = _step_options(args)
    pushes = _read(args)
    decision = decide(
        pushes,
        args.metric,
        alpha=args.alpha,
        naive=args.naive,
        seed=args.seed,
        n_permutations=args.permutations,
        **options,
    )
    if args.json:
        _print_json(decision.to_dict())
        return 0
    lang = args.lang
    print(decision.headline(lang))
    print(decision.verdict(lang))
    _print_schedule(decision.next_step, lang)
    print()
    print(_slot_table(decision.slots, args.lang))
    if len(decision.tests):
        fixed = decision.result is not None and decision.result.model.counts.fixed_order
        order = t("cli.fixed_order", lang) if fixed and decision.design == "randomized" else ""
        design = t(f"design.{decision.design}", lang)
        unit = t(f"unit_name.{decision.unit_kind}", lang)
        print("\n" + t("cli.design", lang, design=design, order=order, unit=unit))
        if lang == "en":  # the analyst's columns, as in the JSON
            tests = decision.tests.drop(columns=["recommended"]).copy()
            for column in ("p_value", "p_adjusted"):
                tests[column] = tests[column].map(_format_p)
            for column in ("estimate", "ci_low", "ci_high"):
                tests[column] = tests[column].map(lambda v: "—" if v != v else f"{v:.4g}")
        else:
            from .report import frame_of_tests

            tests = frame_of_tests(decision, lang)
        print(tests.to_string(index=False))
    if lang == "en":
        for row in decision.health.itertuples():
            if row.status != "ok":
                print(f"check {row.check}: {row.status}: {row.detail}; {row.meaning}")
    else:
        from .report import health_lines

        for line in health_lines(decision, lang):
            print(line)
    return 0


def _cmd_bandit_recommend(args) -> int:
    from .bandits import recommend

    options = _step_options(args)
    advice = recommend(
        _read(args),
        metric=args.metric,
        threshold=1 - args.alpha,
        horizon_days=args.horizon_days,
        seed=args.seed,
        lang=args.lang,
        **options,
    )
    if args.json:
        _print_json(advice.to_dict())
        return 0

    print(advice.message)
    print(advice.next_step.explain(args.lang))
    _print_schedule(advice.next_step, args.lang)
    print()
    print(_slot_table(advice.summary, args.lang))
    print(t("advice.footer", args.lang, seed=advice.seed))
    return 0


def _write_schedule(step, args) -> None:
    """Write the next step's schedule as CSV (``-o``; a calendar when it ends in ``.ics``) and
    iCalendar (``--ics``), in ``--lang``."""
    from .io.files import atomic_write_many

    files = {}
    if args.output:
        output = Path(args.output)
        if output.suffix.lower() == ".ics":
            files[output] = step.to_ics(args.lang)
        else:
            files[output] = (step.to_csv(args.lang), "utf-8")
    if args.ics:
        files[Path(args.ics)] = step.to_ics(args.lang)
    if files:
        atomic_write_many(files)
    for path in files:
        print(t("cli.wrote", args.lang, path=path, rows=len(step.schedule)))


def _cmd_plan(args) -> int:
    from .nextstep import design_schedule

    lang = args.lang
    options = _step_options(args)
    if args.files:
        from .decision import decide

        decision = decide(_read(args), args.metric, target_lift=args.lift, seed=args.seed, **options)
        if args.design == "auto":
            step = decision.next_step  # the one next step, as report and analyze show it
            print(decision.headline(lang))
            print(decision.verdict(lang))
        else:
            step = _design_step(decision, args, options)
            if step is None:
                return 0
    else:
        if not args.slots:
            raise InputError("give a push file, or the slots to schedule with --slots 12:00,21:00")
        slots = [s.strip() for s in args.slots.split(",") if s.strip()]
        design = "randomized" if args.design == "auto" else args.design
        step = design_schedule(
            slots,
            options["schedule_days"],
            design=design,
            account_kind=args.account,
            start=options["start"],
            stretch_days=args.stretch_days,
            seed=args.seed,
        )
        print(step.headline(lang))
        print(step.explain(lang))
    _print_schedule(step, lang, rows=len(step.schedule) if args.output or args.ics else 14)
    _write_schedule(step, args)
    return 0


def _design_step(decision, args, options):
    """``plan --design X`` on a file: X's own length between the two leaders (or out of reach)."""
    import math

    from .decision import OUT_OF_REACH_DAYS, feasible_tests
    from .nextstep import design_schedule
    from .planning import design_options

    lang, design = args.lang, args.design
    if design == "split" and args.account != "service":
        design_schedule(["a", "b"], 1, design="split", account_kind=args.account)  # raises the clear error
    model = decision.result.model if decision.result is not None else None
    lift = args.lift if args.lift is not None else decision.lift.get("mean")
    if model is None or lift is None or not math.isfinite(lift) or lift <= 0.005:
        raise InputError(
            "no lift to plan for: the data show no gap between the leading slots (give one with --lift 0.1)"
        )
    table = design_options(model, lift=lift, seed=args.seed)
    row = table[table["design"] == design]
    if not len(row):
        raise InputError(
            f"design {design!r} cannot be planned from these data (a split test's data plan only 'continue')"
        )
    row = row.iloc[0]
    days = feasible_tests(row.to_frame().T, args.account).get(design)
    if days is None:
        print(
            t(
                "cli.plan.out_of_reach",
                lang,
                design=t(f"design.{design}", lang),
                lift=f"{lift:.0%}",
                limit=OUT_OF_REACH_DAYS,
            )
        )
        return None
    print(
        t(
            "cli.plan.design",
            lang,
            design=t(f"design.{design}", lang),
            days=days,
            lift=f"{lift:.0%}",
            slots=" / ".join(row["slots"]),
        )
    )
    return design_schedule(
        list(row["slots"]),
        days,
        design=design,
        account_kind=args.account,
        start=options["start"],
        stretch_days=args.stretch_days,
        seed=args.seed,
    )


def _parse_target(text: str):
    """``12:00`` (always), ``12:00=0.5,21:00=0.5`` (a fixed mix) or a policy name."""
    from .bandits import POLICIES, make_policy

    text = text.strip()
    if "=" in text:
        mix = {}
        for part in text.split(","):
            slot, _, weight = part.partition("=")
            try:
                mix[slot.strip()] = float(weight)
            except ValueError:
                raise InputError(f"--target: {part!r} is not SLOT=PROBABILITY") from None
        return mix
    if text.replace("-", "_") in POLICIES:
        return make_policy(text)
    return text


def _cmd_replay(args) -> int:
    from .bandits import replay_evaluate

    pushes = _read(args)
    propensities = args.propensity_column or ("uniform" if args.uniform else None)
    result = replay_evaluate(
        pushes, _parse_target(args.target), metric=args.metric, propensities=propensities, seed=args.seed
    )
    if args.json:
        _print_json(result.to_dict())
        return 0
    print(result.propensities)
    print(result.summary.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0


def _cmd_bandit_simulate(args) -> int:
    from .bandits import make_policy, simulate
    from .simulate import campus_jobs, night_owl

    if args.rates:
        rates = [float(r) for r in args.rates.split(",")]
        slots = [f"arm{i}" for i in range(len(rates))]
        hours = list(range(len(rates)))
    else:
        audience = {"default": campus_jobs, "campus_jobs": campus_jobs, "night_owl": night_owl}[
            args.audience
        ]()
        slot_list = (
            [s.strip() for s in args.slots.split(",")] if args.slots else [f"{h:02d}:00" for h in range(24)]
        )
        truth = audience.truth(slot_list)
        rates, slots, hours = truth["open_rate"].tolist(), truth["slot"].tolist(), truth["slot_hour"].tolist()
    results = []
    for name in args.policy.split(","):
        policy = make_policy(name.strip(), hours=hours)
        sim = simulate(
            policy,
            rates,
            days=args.days,
            audience_size=args.audience_size,
            replications=args.replications,
            design=args.design,
            content_sigma=args.content_sigma,
            slots=slots,
            seed=args.seed,
            progress=not args.quiet and not args.json,
        )
        results.append(sim.to_dict())
    if args.json:
        _print_json(results[0] if len(results) == 1 else results)
        return 0
    print(
        f"{len(rates)} slots, {args.days} days, {args.audience_size} deliveries/day, "
        f"{args.replications} replications, {args.design} design, seed {args.seed}"
    )
    table = [
        {
            k: r[k]
            for k in (
                "policy",
                "p_correct",
                "mean_regret",
                "mean_regret_se",
                "days_to_pcs_95",
                "days_to_stop_median",
                "stopped",
                "stop_error_rate",
                "seconds",
            )
        }
        for r in results
    ]
    import pandas as pd

    print(pd.DataFrame(table).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


def _cmd_aggregate(args) -> int:
    # DuckDB and NumPy only: this command never imports pandas (its start-up is a third of the run).
    from .io.events import aggregate

    result = aggregate(
        args.events,
        age_hours=args.age_hours,
        deduplicate=args.deduplicate,
        output=args.output,
        memory_limit=args.memory_limit,
        engine=args.engine,
        master=args.master,
        tz=args.tz,
    )
    summary = result.summary
    if args.json:
        _print_json(summary)
        return 0
    print(
        f"{summary['events']} events in {summary['files']} file(s) -> {summary['pushes']} pushes, "
        f"{summary['first']} to {summary['last']}" + (f"; written to {args.output}" if args.output else "")
    )
    if not args.output:
        columns = result.columns
        names = [n for n in ("push_id", "group", "slot", "delivered", "opened", "read") if n in columns]
        print("  ".join(names))
        for row in zip(*(columns[n].tolist() for n in names)):
            print("  ".join(str(v) for v in row))
    return 0


def _cmd_fetch(args) -> int:
    import os

    from .io.client import fetch

    secret = args.secret or os.environ.get("WXTIME_SECRET")
    if not secret:
        raise InputError(
            "no AppSecret: set WXTIME_SECRET (preferred: it stays out of shell history) or --secret"
        )
    written = fetch(
        args.appid,
        secret,
        args.date_from,
        args.date_to,
        args.output,
        endpoints=[e.strip() for e in args.endpoints.split(",") if e.strip()],
        base_url=args.base_url,
        progress=not args.quiet,
    )
    print(f"saved {len(written)} response(s) under {args.output}")
    return 0


def _cmd_data(args) -> int:
    from .datasets import data_dir, make_noon_study, write_study

    if args.action == "regenerate":
        out = Path(args.output) if args.output else data_dir()
        for path in write_study(make_noon_study(), out):
            print(f"wrote {path}")
    else:
        print(data_dir())
    return 0


def _cmd_simulate(args) -> int:
    from .datasets import write_study
    from .simulate import campus_jobs, night_owl, simulate_rotation, simulate_split

    audience = {"campus_jobs": campus_jobs, "night_owl": night_owl}[args.audience]()
    slots = [s.strip() for s in args.slots.split(",") if s.strip()]
    if args.design == "split":
        study = simulate_split(audience, slots, days=args.days or 14, seed=args.seed)
    else:
        study = simulate_rotation(
            audience,
            slots,
            design=args.design,
            days_per_slot=args.days_per_slot,
            rounds=args.rounds,
            days=args.days,
            seed=args.seed,
        )
    for path in write_study(study, args.output, name=args.name):
        print(f"wrote {path}")
    best = study.truth.loc[study.truth["open_rate"].idxmax(), "slot"]
    print(f"seed {study.seed}; true best slot for open rate: {best}")
    return 0


def _read_options(args) -> dict:
    """The shared input options as keyword arguments for :func:`wxtime.io.read`."""
    from .io.headers import parse_columns_option

    return {
        "columns": parse_columns_option(args.columns),
        "tz": args.tz,
        "encoding": args.encoding,
        "sep": args.sep,
        "sheet": args.sheet,
        "send_times": args.send_times,
        "slots": args.slot,
        "year": args.year,
        "date_format": args.date_format,
        "age_hours": args.age_hours,
        "slot_freq": args.slot_freq,
        "positions": args.positions,
        "strict_funnel": not args.loose_funnel,
    }


def _cmd_report(args) -> int:
    from .report import build_report

    stem = Path(args.files[0]).stem if args.files else "noon_study"
    output = args.output
    if output is None:
        output = f"reports/{stem}.html"
    elif str(output).endswith(("/", "\\")) or Path(output).is_dir():
        output = Path(output) / f"{stem}.html"  # a folder: the page goes in it
    elif Path(output).suffix.lower() not in (".html", ".htm"):
        raise InputError(
            f"-o {output}: the report is an HTML page (its JSON goes beside it); name it .html, "
            "or give a folder. For a PDF, open the page in a browser and print it to PDF."
        )
    result = build_report(
        args.files or None,
        output=output,
        metric=args.metric,
        lang=args.lang,
        seed=args.seed,
        xlsx=args.xlsx,
        read_options=_read_options(args),
        step_options=_step_options(args),
    )
    written = [result["html"], result["json"]] + ([result["xlsx"]] if result["xlsx"] else [])
    for path in written:
        print(f"wrote {path}")
    decision = result["decision"]
    print(decision.headline(args.lang))
    print(decision.verdict(args.lang))
    return 0


def _cmd_notebooks(args) -> int:
    from .notebooks import export_notebooks

    if not args.html:
        raise InputError("give the folder for the exported notebooks: --html FOLDER")
    for path in export_notebooks(
        args.files or None,
        args.html,
        metric=args.metric,
        lang=args.lang,
        seed=args.seed,
        show_code=args.code,
        quiet=args.quiet,
        read_options=_read_options(args),
    ):
        print(f"wrote {path}")
    return 0


# -- wxtime serve: the web app (its own package, wxtime/serve; imported only when run) --------
_port = _number(int, lambda v: 0 <= v <= 65535, "a port number from 0 to 65535")


def _add_serve_parser(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="a web page for operators: upload the exports, see what was read, get the decision page",
        description="Start the wxtime web app and print its address. It binds to this computer only; "
        "with --host 0.0.0.0 it is shared on the network and every request needs the access token "
        "printed with the link. Needs the [serve] extra: pip install 'wxtime[serve]'.",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; anything but 127.0.0.1/localhost/::1 requires the access token",
    )
    p.add_argument("--port", type=_port, default=8000, help="port to listen on; 0 picks a free one")
    p.add_argument("--open", action="store_true", help="open the page in the browser (default: off)")
    p.add_argument(
        "--max-upload-mb", type=_positive_float, default=50.0, help="size limit of one upload, all files"
    )
    p.add_argument("--max-files", type=_positive_int, default=10, help="files in one upload")
    p.add_argument(
        "--token",
        help="access token to require (default: none on 127.0.0.1; generated and printed with the link "
        "when --host is beyond this computer)",
    )
    p.add_argument(
        "--lang",
        choices=["en", "zh"],
        help="language of the pages (default: the browser's, from its Accept-Language)",
    )
    p.set_defaults(func=_cmd_serve)


def _cmd_serve(args) -> int:
    try:
        import python_multipart  # noqa: F401  (the [serve] extra: checked before anything starts)
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise InputError(
            f"wxtime serve needs the [serve] extra ({exc.name} is missing): pip install 'wxtime[serve]'"
        ) from None
    from .serve.run import serve

    return serve(
        host=args.host,
        port=args.port,
        open_browser=args.open,
        token=args.token,
        max_upload_mb=args.max_upload_mb,
        max_files=args.max_files,
        lang=args.lang,
    )


class _Formatter(argparse.HelpFormatter):
    """Help that shows every option's default (unless the help text already says it)."""

    def _get_help_string(self, action):
        text = action.help or ""
        quiet = (
            action.default is None
            or isinstance(action.default, bool)  # a switch: its help says what it turns on or off
            or action.default == argparse.SUPPRESS
        )
        if "default" not in text and "默认" not in text and not quiet and action.option_strings:
            if _HELP_LANG[0] != "zh":
                text += " (default: %(default)s)"
            elif text.endswith("）"):  # one bracket, not two in a row
                text = text[:-1] + "；默认：%(default)s）"
            else:
                text += "（默认：%(default)s）"
        return text


#: The language ``--help`` is written in (set by :func:`main` from ``--lang`` before parsing).
_HELP_LANG = ["en"]


def _formatters(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    """Every parser gets the formatter and its texts in ``lang``; a command without a
    description gets its one-line help as one (``wxtime validate --help`` said nothing about
    what validate does)."""
    parser.formatter_class = _Formatter
    parser.description = cli_help(parser.description, lang)
    for group in parser._action_groups:
        group.title = cli_help(group.title, lang)
    for action in parser._actions:
        if action.help and action.help != argparse.SUPPRESS:
            action.help = cli_help(action.help, lang)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = cli_help(choice.help, lang)
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                if not child.description and helps.get(name):
                    text = helps[name]
                    child.description = text + "。" if lang == "zh" else text[:1].upper() + text[1:] + "."
                _formatters(child, lang)


def _help_language(argv) -> str:
    """``--lang`` as written in ``argv`` (``--lang zh`` or ``--lang=zh``), else English."""
    for i, word in enumerate(argv):
        if word == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in LANGS else "en"
        if word.startswith("--lang="):
            return word.split("=", 1)[1] if word.split("=", 1)[1] in LANGS else "en"
    return "en"


@contextlib.contextmanager
def _argparse_speaks(lang: str):
    """argparse's own words (usage, headings, its errors) in ``lang`` while parsing."""
    words = ARGPARSE_WORDS.get(lang)
    if not words:
        yield
        return
    before = argparse._
    argparse._ = lambda text: words.get(text, text)
    _HELP_LANG[0] = lang
    try:
        yield
    finally:
        argparse._ = before
        _HELP_LANG[0] = "en"


def _command_parser(parser: argparse.ArgumentParser, argv) -> argparse.ArgumentParser:
    """The sub-parser of the command in ``argv`` (the deepest one named), else ``parser``."""
    current = parser
    for word in argv:
        sub = next((a for a in current._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None:
            break
        if word in sub.choices:
            current = sub.choices[word]
    return current


def _unknown_options(parser: argparse.ArgumentParser, argv, extras) -> None:
    """Refuse unknown arguments with the command's own usage and a "did you mean" (exits 2)."""
    import difflib

    command = _command_parser(parser, argv)
    known = [o for a in command._actions for o in a.option_strings]
    hints = []
    for extra in extras:
        name = extra.split("=", 1)[0]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6) if name.startswith("-") else []
        hints.append(t("cli.did_you_mean", _HELP_LANG[0], extra=extra, option=close[0]) if close else extra)
    command.error(argparse._("unrecognized arguments: %s") % " ".join(hints))


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wxtime",
        description="When should a WeChat official account push? Rates by send hour, "
        "A/B and bandit analyses of push slots. Start with `wxtime study` (the shipped replica "
        "study) or `wxtime report YOUR_FILE`.",
    )
    parser.add_argument("--version", action="version", version=f"wxtime {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check a push file and summarise it")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=_FILE_HELP)
    _add_input_options(p)
    p.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="language of the summary (the JSON keys stay English)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("analyze", help="the decision: rates by slot, tests, the recommended slot")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=_FILE_HELP)
    _add_input_options(p)
    _add_metric(p)
    p.add_argument(
        "--alpha", type=_probability, default=0.05, help="level of the tests (intervals: 1 - alpha)"
    )
    p.add_argument("--naive", action="store_true", help="also show the reader-level z-test (labelled)")
    p.add_argument(
        "--permutations",
        type=_non_negative_int,
        default=2000,
        help="permutations of the omnibus test (0: its F reference distribution only)",
    )
    _add_next_step(p)
    _add_common(p)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser(
        "plan",
        help="the next days as a schedule to follow (CSV, .ics), or how long a chosen test design takes",
        description="Without --design: the next step every command shows (the operating schedule: the "
        "current choice on most days, other slots on days drawn at random), written as CSV and as a "
        "calendar with a reminder the evening before each push. With --design: how long that test "
        "between the two leading slots would take, and its schedule.",
    )
    p.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="the pushes so far (optional: plan from scratch)"
    )
    _add_input_options(p)
    _add_metric(p)
    p.add_argument("--slots", help="slots to schedule without a file, e.g. 12:00,21:00")
    p.add_argument(
        "--lift", type=_positive_float, help="relative lift a test is planned for (default: the current gap)"
    )
    p.add_argument(
        "--design",
        choices=["auto", "randomized", "blocked", "split"],
        default="auto",
        help="auto: the next step (the operating schedule); or a deliberate test: a randomised daily "
        "rotation, stretches of days, or a split by tag groups (service accounts only)",
    )
    p.add_argument("--stretch-days", type=_positive_int, default=7, help="days per stretch (blocked design)")
    p.add_argument(
        "-o",
        "--output",
        help="write the schedule as CSV (Chinese headers with --lang zh), or as a calendar if it "
        "ends in .ics",
    )
    p.add_argument("--ics", help="write the schedule as an iCalendar file, with reminders the evening before")
    _add_next_step(p)
    _add_common(p, json=False)
    p.set_defaults(func=_cmd_plan)

    p = sub.add_parser("replay", help="what another schedule would have achieved on a logged study (IPS)")
    p.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="the logged study: pushes whose slots were drawn at random",
    )
    _add_input_options(p)
    _add_metric(p)
    p.add_argument(
        "--target", required=True, help="a slot (12:00), a mix (12:00=0.5,21:00=0.5) or a policy (thompson)"
    )
    p.add_argument("--propensity-column", help="column holding each push's logging probability")
    p.add_argument("--uniform", action="store_true", help="the slots were drawn uniformly at random")
    _add_common(p)
    p.set_defaults(func=_cmd_replay)

    bandit = sub.add_parser("bandit", help="adaptive slot choice: advice for tomorrow, strategy simulation")
    bandit_sub = bandit.add_subparsers(dest="bandit_command", metavar="SUBCOMMAND", required=True)
    p = bandit_sub.add_parser(
        "recommend",
        help="what to push tomorrow, from the pushes so far, and whether the leader is settled",
        description="Tomorrow's slot and the weeks after (the same next step as report, analyze and "
        "plan), and whether the stopping rule says the leading slot is settled at today's look.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=_FILE_HELP)
    _add_input_options(p)
    _add_metric(p)
    p.add_argument(
        "--alpha",
        type=_probability,
        default=0.05,
        help="chance of ever calling a slot settled that is not the best",
    )
    p.add_argument(
        "--horizon-days",
        type=_positive_int,
        default=90,
        help="planned study length, over which alpha is spent",
    )
    _add_next_step(p)
    _add_common(p)
    p.set_defaults(func=_cmd_bandit_recommend)

    p = bandit_sub.add_parser("simulate", help="compare strategies on simulated studies")
    p.add_argument("--rates", help="true rates r1,r2,... (overrides --audience)")
    p.add_argument(
        "--audience",
        choices=["default", "campus_jobs", "night_owl"],
        default="default",
        help="true open rates by hour: a generic account, the campus-jobs seed, or a late-night one",
    )
    p.add_argument("--slots", help="slots of the audience to use (default: the 24 whole hours)")
    p.add_argument("--days", type=_positive_int, default=60, help="days of each simulated study")
    p.add_argument(
        "--audience-size", type=_positive_int, default=10_000, help="deliveries of each daily push"
    )
    p.add_argument(
        "--policy",
        default="thompson",
        help="one or several, comma-separated: thompson, top_two, kl_ucb, ucb1, epsilon_greedy, rotation",
    )
    p.add_argument(
        "--design",
        choices=["rotation", "split"],
        default="rotation",
        help="one slot a day for everyone, or the audience split across slots each day",
    )
    p.add_argument(
        "--content-sigma",
        type=_non_negative_float,
        default=0.3,
        help="sd of log content quality (0: binomial)",
    )
    p.add_argument("--replications", type=_positive_int, default=1000, help="simulated studies per policy")
    p.add_argument("--seed", type=int, default=0, help="seed of the simulation (echoed in the output)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=_cmd_bandit_simulate)

    p = sub.add_parser(
        "aggregate", help="turn a delivery log (Parquet/CSV, one row per delivery) into pushes"
    )
    p.add_argument("events", nargs="+", help="files, folders or globs of .parquet or .csv")
    p.add_argument("-o", "--output", help="write the push table here (.csv or .parquet)")
    p.add_argument(
        "--age-hours", type=_positive_float, help="count opens/reads within this many hours of the push"
    )
    p.add_argument("--deduplicate", action="store_true", help="count distinct user_id per push")
    p.add_argument(
        "--tz", default="Asia/Shanghai", help="time zone of timestamps written without one, and of the output"
    )
    p.add_argument("--memory-limit", default="2GB", help="DuckDB memory limit (spills to disk beyond it)")
    p.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="embedded DuckDB (default) or Apache Spark (pip install 'wxtime[spark]', Java 17+)",
    )
    p.add_argument("--master", default="local[2]", help="Spark master: local[2], spark://host:7077, ...")
    p.add_argument("--json", action="store_true", help="print the load summary as JSON")
    p.set_defaults(func=_cmd_aggregate)

    p = sub.add_parser("fetch", help="fetch datacube statistics from the WeChat API and save the raw JSON")
    p.add_argument("--appid", required=True, help="the official account's AppID (公众号 AppID)")
    p.add_argument("--secret", help="AppSecret (better: the WXTIME_SECRET environment variable)")
    p.add_argument("--from", dest="date_from", required=True, help="first date, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, help="last date (at most yesterday)")
    p.add_argument("-o", "--output", required=True, help="folder for the raw responses")
    p.add_argument(
        "--endpoints",
        default="getarticletotal,getuserreadhour",
        help="datacube endpoints to fetch, comma-separated (getarticletotaldetail for data from 2025-11)",
    )
    p.add_argument("--base-url", default="https://api.weixin.qq.com", help=argparse.SUPPRESS)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("data", help="the shipped data sets")
    p.add_argument(
        "action",
        choices=["regenerate", "path"],
        help="regenerate the replica study, or print the data folder",
    )
    p.add_argument("-o", "--output", help="folder to write to (default: the data folder)")
    p.set_defaults(func=_cmd_data)

    p = sub.add_parser("simulate", help="simulate a study with known truth")
    p.add_argument(
        "--audience",
        choices=["campus_jobs", "night_owl"],
        default="campus_jobs",
        help="true rates by hour: the campus-jobs seed account (noon best) or a late-night one (22:30)",
    )
    p.add_argument(
        "--design",
        choices=["blocked", "randomized", "split"],
        default="blocked",
        help="stretches of days per slot, a random slot each day, or split tag groups",
    )
    p.add_argument("--slots", default="07:30,12:00,18:00,21:00,22:30", help="slots of the study")
    p.add_argument(
        "--days-per-slot", type=_positive_int, default=7, help="days of each stretch (blocked design)"
    )
    p.add_argument(
        "--rounds", type=_positive_int, default=2, help="times through every slot (blocked design)"
    )
    p.add_argument("--days", type=_positive_int, help="study length (randomized and split designs)")
    p.add_argument("--seed", type=int, default=0, help="seed of the simulation (echoed in the file)")
    p.add_argument("--name", default="study", help="file name stem")
    p.add_argument("-o", "--output", default=".", help="folder to write to")
    p.set_defaults(func=_cmd_simulate)

    for command, text in (
        ("report", "the decision page for a push file: one HTML file to share, plus its JSON"),
        ("study", "the main job: `report` on the shipped replica study (or FILE) -> reports/noon_study.html"),
    ):
        p = sub.add_parser(command, help=text, description=text)
        p.add_argument(
            "files",
            nargs="*",
            type=Path,
            metavar="FILE",
            help="the data (default: the shipped replica study)",
        )
        _add_input_options(p)
        p.add_argument(
            "-o",
            "--output",
            default="reports/noon_study.html" if command == "study" else None,
            help="HTML report path, with its JSON beside it"
            + ("" if command == "study" else " (default: reports/<file name>.html)"),
        )
        _add_metric(p)
        p.add_argument("--xlsx", help="also write the decision's tables to this Excel file")
        _add_next_step(p)
        _add_common(p, json=False)
        p.set_defaults(func=_cmd_report)

    p = sub.add_parser("notebooks", help="run the analyst's study notebooks on a push file and export them")
    p.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="the data (default: the shipped replica study)"
    )
    _add_input_options(p)
    p.add_argument("--html", help="folder for the exported notebooks (one HTML file each)")
    _add_metric(p)
    p.add_argument("--no-code", dest="code", action="store_false", help="hide the code cells")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_common(p, json=False)
    p.set_defaults(func=_cmd_notebooks)
    _add_serve_parser(sub)
    _formatters(parser, lang)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _help_language(argv)
    with _argparse_speaks(lang):
        parser = build_parser(lang)
        args, extras = parser.parse_known_args(argv)
        if extras:
            _unknown_options(parser, argv, extras)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # e.g. piped into head
        return 0
    except (PushDataError, InputError) as exc:  # bad input: the user's to fix, said in words
        print(f"wxtime: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"wxtime: error: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:  # NotebookError (a notebook failed), FetchError (the API said no)
        print(f"wxtime: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
