"""Plots. Every function takes ``ax=None``, draws on it (or on a new figure) and returns it.

Nothing here computes a statistic: each plot draws what a result object or a
function in :mod:`wxtime.rates`, :mod:`wxtime.decision`, :mod:`wxtime.abtest`,
:mod:`wxtime.planning` or :mod:`wxtime.bandits` returns. Labels come from the
message catalogue (:mod:`wxtime.i18n`): English by default, Chinese with
``lang="zh"`` when a CJK font is installed (English, with one warning, when
none is). Intervals are labelled with the level they were computed at.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd

from .i18n import metric_label, percent, t

__all__ = [
    "cjk_font",
    "plot_adjusted_rates",
    "plot_advice",
    "plot_allocation",
    "plot_bandit_curves",
    "plot_decision",
    "plot_differences",
    "plot_funnel",
    "plot_heatmap",
    "plot_p_best",
    "plot_posteriors",
    "plot_power_curve",
    "plot_pushes",
    "plot_rates",
    "plot_read_curves",
    "plot_study",
]

WEEKDAYS = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "zh": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
}
# Font families that draw Chinese, best first: Simplified Chinese variants before the others
# (a JP variant draws some characters in their Japanese forms).
_CJK_PREFERENCE = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Serif CJK SC",
    "Noto Sans CJK",
    "Source Han Sans",
    "AR PL",
    "Droid Sans Fallback",
)
_CJK_FILES = (
    "notosanscjk",
    "notoserifcjk",
    "sourcehansans",
    "wqy",
    "wenquanyi",
    "droidsansfallback",
    "simhei",
    "msyh",
)


def _best_cjk(names) -> str | None:
    names = list(dict.fromkeys(names))
    for wanted in _CJK_PREFERENCE:
        for name in names:
            if name.lower().startswith(wanted.lower()):
                return name
    return None


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font that draws Simplified Chinese (preferred) or any Chinese, or None.

    Fonts installed after matplotlib built its font cache are found too: the
    system's font folders are scanned for CJK font files, which are added to
    matplotlib's font manager for this process.
    """
    from matplotlib import font_manager

    found = _best_cjk(f.name for f in font_manager.fontManager.ttflist)
    if found:
        return found
    for path in font_manager.findSystemFonts():
        if any(key in path.lower().replace("-", "").replace("_", "") for key in _CJK_FILES):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    return _best_cjk(f.name for f in font_manager.fontManager.ttflist)


def resolve_lang(lang: str) -> str:
    """``"zh"`` if Chinese labels can be drawn, else ``"en"`` (warning once)."""
    if lang not in ("en", "zh"):
        raise ValueError("lang must be 'en' or 'zh'")
    if lang == "zh" and cjk_font() is None:
        warnings.warn(
            "no CJK font is installed (e.g. Debian's fonts-noto-cjk); plot labels fall back to English",
            stacklevel=3,
        )
        return "en"
    return lang


def _axes(ax, lang: str = "en"):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    if lang == "zh":
        font = cjk_font()
        if font:
            plt.rcParams["font.sans-serif"] = [font, *plt.rcParams["font.sans-serif"]]
            plt.rcParams["axes.unicode_minus"] = False
    return ax


def _legend_below(ax):
    """The legend under the axes, where it cannot cover an interval."""
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)


def _percent(ax, axis="y"):
    from matplotlib.ticker import PercentFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0, decimals=1))


def _interval_pair(ax, x, table, level, lang, truth=None, metric="open"):
    """Own estimate with its interval and shrunk estimate with its interval, side by side."""
    has_own = table["ci_low"].notna().any()
    if has_own:
        ax.errorbar(
            x - 0.12,
            table["rate"],
            yerr=[table["rate"] - table["ci_low"], table["ci_high"] - table["rate"]],
            fmt="o",
            capsize=4,
            color="tab:blue",
            label=t("plot.own", lang, level=percent(level, 0)),
        )
    if table["rate_shrunk"].notna().any():
        ax.errorbar(
            x + 0.12,
            table["rate_shrunk"],
            yerr=[table["rate_shrunk"] - table["shrunk_low"], table["shrunk_high"] - table["rate_shrunk"]],
            fmt="s",
            capsize=4,
            color="tab:orange",
            label=t("plot.shrunk", lang, level=percent(level, 0)),
        )
    if truth is not None:
        true = truth.set_index("slot").reindex(table["slot"])
        column = {"open": "open_rate", "read": "read_rate", "read_through": "read_through"}.get(metric)
        if column in true.columns:
            ax.plot(x, true[column], "k_", markersize=18, mew=2, label=t("plot.truth", lang))


def plot_rates(rates, ax=None, lang: str = "en", truth: pd.DataFrame | None = None):
    """Each slot's rate with its interval, and the shrunk rate (a :class:`wxtime.rates.SlotRates`).

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> from wxtime.rates import estimate_rates
    >>> ax = plot_rates(estimate_rates(load_noon_study()))
    >>> ax.get_ylabel(), ax.get_legend_handles_labels()[1][0]
    ('open rate', 'each slot alone (95% interval)')
    """
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = rates.summary
    x = np.arange(len(table))
    _interval_pair(ax, x, table, rates.level, lang, truth, rates.metric)
    ax.set_xticks(x, table["slot"], rotation=45 if len(table) > 8 else 0)
    ax.set_xlabel(t("plot.slot", lang))
    ax.set_ylabel(metric_label(rates.metric, lang))
    ax.set_title(t("plot.rates_by_slot", lang, metric=metric_label(rates.metric, lang)))
    _percent(ax)
    ax.grid(axis="y", alpha=0.3)
    _legend_below(ax)
    return ax


def plot_decision(decision, ax=None, lang: str = "en"):
    """A :class:`wxtime.decision.Decision`: rates by slot (own and shrunk, with intervals), the
    recommended slot marked, each slot's chance to be best written under it."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = decision.slots
    x = np.arange(len(table))
    _interval_pair(ax, x, table, decision.level, lang, metric=decision.metric)
    best = list(table["slot"]).index(decision.best_slot)
    ax.axvspan(best - 0.4, best + 0.4, color="tab:orange", alpha=0.08, lw=0)
    labels = [
        f"{slot}\n{100 * p:.0f}%" if np.isfinite(p) else slot
        for slot, p in zip(table["slot"], table["p_best"])
    ]
    ax.set_xticks(x, labels, rotation=45 if len(table) > 8 else 0)
    ax.set_xlabel(t("plot.slot", lang) + (f" / {t('plot.p_best', lang)}" if decision.available else ""))
    ax.set_ylabel(metric_label(decision.metric, lang))
    _percent(ax)
    ax.grid(axis="y", alpha=0.3)
    _legend_below(ax)
    return ax


def plot_adjusted_rates(model, ax=None, lang: str = "en", level: float = 0.95):
    """Adjusted (standardised) rates by slot from a fitted :class:`wxtime.rates.RateModel`."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = model.adjusted_rates_
    x = np.arange(len(table))
    ax.errorbar(
        x,
        table["rate"],
        yerr=[table["rate"] - table["ci_low"], table["ci_high"] - table["rate"]],
        fmt="o",
        capsize=4,
        color="tab:green",
    )
    ax.set_xticks(x, table["slot"])
    ax.set_xlabel(t("plot.slot", lang))
    ax.set_ylabel(t("plot.adjusted", lang, level=percent(level, 0)))
    ax.set_title(t("plot.rates_by_slot", lang, metric=metric_label(model.metric, lang)))
    _percent(ax)
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_differences(result, ax=None, lang: str = "en"):
    """Forest plot: each slot's difference from the reference with its interval (an ``ABResult``).

    Filled markers are significant after Holm adjustment at the result's alpha.
    """
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = result.summary
    y = np.arange(len(table))[::-1]
    significant = (table["p_holm"] < result.alpha).to_numpy()
    ax.errorbar(
        100 * table["difference"],
        y,
        xerr=[
            100 * (table["difference"] - table["diff_low"]),
            100 * (table["diff_high"] - table["difference"]),
        ],
        fmt="none",
        ecolor="tab:gray",
        capsize=4,
    )
    diff = 100 * table["difference"].to_numpy()
    ax.scatter(diff[significant], y[significant], color="tab:red", zorder=3)
    ax.scatter(diff[~significant], y[~significant], facecolor="white", edgecolor="tab:gray", zorder=3)
    ax.axvline(0, color="k", lw=1)
    ax.set_yticks(y, table["slot"])
    ax.set_xlabel(t("plot.difference", lang, ref=result.reference, level=percent(result.level, 0)))
    ax.set_ylabel(t("plot.slot", lang))
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_p_best(rates, ax=None, lang: str = "en"):
    """Each slot's chance to be best as bars (anything with a ``summary`` holding ``slot, p_best``)."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = rates.summary
    best = table.loc[table["p_best"].idxmax(), "slot"] if table["p_best"].notna().any() else None
    colors = ["tab:orange" if s == best else "tab:gray" for s in table["slot"]]
    ax.bar(table["slot"], table["p_best"].fillna(0), color=colors)
    ax.set_ylim(0, 1)
    ax.set_xlabel(t("plot.slot", lang))
    ax.set_ylabel(t("plot.p_best", lang))
    for x, value in enumerate(table["p_best"]):
        if np.isfinite(value):
            ax.annotate(f"{value:.2f}", (x, value), ha="center", va="bottom", fontsize="small")
    return ax


def plot_funnel(funnel: pd.DataFrame, ax=None, lang: str = "en"):
    """Open rate and read rate by slot as bars, read-through as a line (:func:`wxtime.rates.funnel_table`).

    These are pooled rates (totals over totals); intervals belong to the slot estimates.
    """
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    metrics = [m for m in ("open", "read") if f"{m}_rate" in funnel.columns]
    width = 0.8 / max(len(metrics), 1)
    x = np.arange(len(funnel))
    for j, metric in enumerate(metrics):
        ax.bar(
            x + (j - (len(metrics) - 1) / 2) * width,
            funnel[f"{metric}_rate"],
            width,
            label=metric_label(metric, lang),
        )
    ax.set_xticks(x, funnel["slot"])
    ax.set_xlabel(t("plot.slot", lang))
    ax.set_ylabel(t("plot.rate", lang))
    ax.set_title(t("plot.funnel", lang))
    _percent(ax)
    if "read_through" in funnel.columns:
        twin = ax.twinx()
        twin.plot(x, funnel["read_through"], "k.--", label=metric_label("read_through", lang))
        twin.set_ylabel(metric_label("read_through", lang))
        _percent(twin)
        twin.set_ylim(0, 1)
        handles, labels_ = ax.get_legend_handles_labels()
        h2, l2 = twin.get_legend_handles_labels()
        ax.legend(handles + h2, labels_ + l2, fontsize="small", loc="upper left")
    else:
        ax.legend(fontsize="small")
    return ax


def plot_heatmap(table: pd.DataFrame, ax=None, lang: str = "en", value: str = "rate"):
    """Slot x weekday heatmap of a tidy table with columns ``weekday`` (0 = Monday), ``slot`` and ``value``.

    Cells with no pushes stay blank (missing, not zero).
    """
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    grid = table.pivot_table(index="weekday", columns="slot", values=value, aggfunc="mean").reindex(range(7))
    image = ax.imshow(grid.to_numpy(float), aspect="auto", cmap="viridis")
    ax.set_yticks(range(7), WEEKDAYS[lang])
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=45 if grid.shape[1] > 8 else 0)
    ax.set_xlabel(t("plot.slot", lang))
    ax.set_ylabel(t("plot.weekday", lang))
    colorbar = ax.figure.colorbar(image, ax=ax)
    colorbar.set_label(t("plot.rate", lang))
    if value == "rate":
        from matplotlib.ticker import PercentFormatter

        colorbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    return ax


def plot_read_curves(curves: pd.DataFrame, ax=None, lang: str = "en", max_age: float = 48):
    """Share of opens arrived by age, one line per slot (from :func:`wxtime.rates.read_curves`)."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    for slot, part in curves[curves["age_hours"] <= max_age].groupby("slot"):
        ax.plot(part["age_hours"], part["share"], marker=".", label=slot)
    ax.set_xlabel(t("plot.age", lang))
    ax.set_ylabel(t("plot.share_of_opens", lang))
    _percent(ax)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(title=t("plot.slot", lang), fontsize="small")
    return ax


def plot_study(study, ax=None, lang: str = "en"):
    """A simulated study: each push's open rate (a dot per push) by slot over the true rate curve."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    pushes = study.pushes
    hours = np.linspace(0, 24, 289)
    true_curve = study.audience.truth(hours[:-1])
    ax.plot(true_curve["slot_hour"], true_curve["open_rate"], color="k", lw=1, label=t("plot.truth", lang))
    ax.scatter(
        pushes["slot_hour"],
        pushes["opened"] / pushes["delivered"],
        s=12,
        alpha=0.6,
        label=t("plot.pushes", lang),
    )
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xlabel(t("plot.hour", lang))
    ax.set_ylabel(metric_label("open", lang))
    _percent(ax)
    ax.legend(fontsize="small")
    return ax


def plot_pushes(pushes: pd.DataFrame, metric: str = "open", ax=None, lang: str = "en"):
    """Each push's rate by send date, one colour per slot: a dot per push, so the push-to-push
    spread (mostly the articles) is there to see."""
    from .counts import counts

    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    c = counts(pushes, metric)
    if c.sent_at is None:
        raise ValueError("a plot over time needs send times (sent_at)")
    rate = c.successes / c.trials
    for k, slot in enumerate(c.slots):
        mine = c.code == k
        ax.scatter(c.sent_at[mine], rate[mine], s=14, label=slot)
    ax.set_xlabel(t("sent_on", lang))
    ax.set_ylabel(metric_label(metric, lang))
    _percent(ax)
    ax.grid(alpha=0.3)
    ax.legend(title=t("plot.slot", lang), fontsize="small", ncol=2 if c.n_slots > 6 else 1)
    ax.figure.autofmt_xdate()
    return ax


def plot_bandit_curves(simulations, ax=None, what: str = "p_correct", lang: str = "en"):
    """PCS (``what="p_correct"``) or cumulative regret (``"regret"``) by day, one line per
    :class:`wxtime.bandits.BanditSimulation`, with a band of +-2 Monte Carlo standard errors."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    for sim in simulations:
        table = sim.summary
        ax.plot(table["day"], table[what], label=sim.policy.name)
        se = table[f"{what}_se"]
        ax.fill_between(table["day"], table[what] - 2 * se, table[what] + 2 * se, alpha=0.2)
    ax.set_xlabel(t("plot.day", lang))
    ax.set_ylabel(t(f"plot.{what}", lang))
    if what == "p_correct":
        ax.set_ylim(0, 1.02)
        ax.axhline(0.95, color="k", lw=0.8, ls=":")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_allocation(simulation, ax=None, lang: str = "en"):
    """Share of pushes (or audience) per slot by day, stacked (a :class:`wxtime.bandits.BanditSimulation`)."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = simulation.allocation.set_index("day")
    ax.stackplot(table.index, table.to_numpy().T, labels=table.columns)
    ax.set_xlabel(t("plot.day", lang))
    ax.set_ylabel(t("plot.allocation", lang))
    ax.set_ylim(0, 1)
    ax.set_xlim(table.index.min(), table.index.max())
    ax.legend(fontsize="x-small", ncol=2 if table.shape[1] > 8 else 1, loc="upper right")
    return ax


def plot_posteriors(posterior, ax=None, lang: str = "en", bins: int = 60):
    """Posterior density of each slot's rate, from the draws of a :class:`wxtime.posterior.SlotPosterior`."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    draws = posterior.draws
    if not len(draws):
        raise ValueError("this posterior has no draws: " + "; ".join(posterior.notes))
    edges = np.linspace(np.quantile(draws, 0.0005), np.quantile(draws, 0.9995), bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    for k, slot in enumerate(posterior.summary["slot"]):
        density, _ = np.histogram(draws[:, k], bins=edges, density=True)
        ax.plot(centres, density, label=slot)
    ax.set_xlabel(metric_label(posterior.metric, lang))
    ax.set_ylabel(t("plot.density", lang))
    _percent(ax, axis="x")
    ax.legend(fontsize="small")
    return ax


def plot_advice(recommendation, ax=None, lang: str = "en"):
    """A :class:`wxtime.bandits.Recommendation`: each slot's shrunk rate and tomorrow's share."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = recommendation.summary
    x = np.arange(len(table))
    value = table["rate_shrunk"].where(table["rate_shrunk"].notna(), table["pooled_rate"])
    colors = ["tab:orange" if s == recommendation.next_slot else "tab:gray" for s in table["slot"]]
    ax.bar(x, value, color=colors)
    for xi, share in zip(x, table["share_tomorrow"]):
        ax.annotate(
            f"{share:.0%}", (xi, 0), xytext=(0, 3), textcoords="offset points", ha="center", fontsize="small"
        )
    ax.set_xticks(x, table["slot"])
    ax.set_xlabel(t("plot.slot", lang))
    ax.set_ylabel(t("plot.advice", lang))
    _percent(ax)
    return ax


def plot_replay(result, ax=None, lang: str = "en"):
    """A :class:`wxtime.bandits.ReplayResult`: each estimator's value with a 95% interval."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = result.summary
    y = np.arange(len(table))
    se = table["se"].fillna(0).to_numpy(float)
    ax.errorbar(table["value"], y, xerr=1.96 * se, fmt="o", color="tab:blue", capsize=4)
    ax.set_yticks(y, table["estimator"])
    ax.set_xlabel(t("plot.replay", lang, target=result.target))
    _percent(ax, "x")
    return ax


def plot_power_curve(plan, ax=None, lang: str = "en"):
    """Chance that the decision finds the plan's lift, by study length (a :class:`wxtime.planning.Plan`)."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = plan.summary.sort_values("days")
    ax.plot(table["days"], table["power"], "o-")
    ax.axhline(plan.power, color="k", lw=0.8, ls=":")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(t("plot.study_days", lang))
    ax.set_ylabel(t("plot.power", lang, lift=percent(plan.lift, 0)))
    ax.grid(alpha=0.3)
    return ax
