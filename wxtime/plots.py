"""Plots. Every function takes ``ax=None``, draws on it (or on a new figure) and returns it.

Nothing here computes a statistic: each plot draws a DataFrame that a
function in :mod:`wxtime.rates`, :mod:`wxtime.abtest` or
:mod:`wxtime.bandits` returns. Labels are English by default; ``lang="zh"``
gives Chinese labels when a CJK font is installed (English, with a warning,
when none is).
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd

__all__ = [
    "cjk_font",
    "label",
    "plot_adjusted_rates",
    "plot_allocation",
    "plot_bandit_curves",
    "plot_differences",
    "plot_funnel",
    "plot_heatmap",
    "plot_p_best",
    "plot_posteriors",
    "plot_rates",
    "plot_read_curves",
    "plot_study",
]

LABELS = {
    "slot": ("send slot", "推送时段"),
    "open": ("open rate", "打开率"),
    "read": ("read rate", "阅读率"),
    "read_through": ("read-through", "读完率"),
    "click": ("click rate", "点击率"),
    "share": ("share rate", "分享率"),
    "raw": ("raw (push-level 95% CI)", "原始值（推送级95%区间）"),
    "shrunk": ("shrunk (empirical Bayes)", "收缩估计（经验贝叶斯）"),
    "truth": ("true rate", "真实值"),
    "observed": ("pushes", "单次推送"),
    "p_best": ("P(best)", "最优概率"),
    "age": ("hours since the push", "推送后小时数"),
    "share_of_opens": ("share of opens so far", "已到达的打开比例"),
    "weekday": ("weekday", "星期"),
    "hour": ("send hour", "推送小时"),
    "adjusted": ("adjusted rate (95% CI)", "调整后比率（95%区间）"),
    "funnel": ("funnel by slot", "各时段漏斗"),
    "delivered": ("delivered", "送达"),
    "opened": ("opened", "打开"),
    "rate": ("rate", "比率"),
    "rates_by_slot": ("{metric} by send slot", "各推送时段的{metric}"),
    "day": ("day of the study", "测试天数"),
    "p_correct": ("P(correct selection)", "选中最优时段的概率"),
    "regret": ("cumulative reads lost vs the best slot", "相对最优时段累计损失的打开数"),
    "allocation": ("share of pushes", "推送占比"),
    "density": ("posterior density", "后验密度"),
    "difference": ("difference from {ref} (pp, 95% CI)", "与{ref}的差（百分点，95%区间）"),
}
WEEKDAYS = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "zh": ["一", "二", "三", "四", "五", "六", "日"],
}
_CJK_NAMES = (
    "Noto Sans CJK",
    "Noto Serif CJK",
    "Source Han Sans",
    "WenQuanYi",
    "SimHei",
    "Microsoft YaHei",
    "PingFang",
    "Heiti",
    "AR PL",
    "Droid Sans Fallback",
)


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font that can draw Chinese, or None."""
    from matplotlib import font_manager

    for font in font_manager.fontManager.ttflist:
        if any(name.lower() in font.name.lower() for name in _CJK_NAMES):
            return font.name
    return None


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


def label(key: str, lang: str = "en", **fmt) -> str:
    """A plot label in English or Chinese."""
    text = LABELS[key][1 if lang == "zh" else 0]
    return text.format(**fmt) if fmt else text


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


def _percent(ax, axis="y"):
    from matplotlib.ticker import PercentFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0, decimals=1))


def plot_rates(rates, ax=None, lang: str = "en", truth: pd.DataFrame | None = None):
    """Raw rate with its interval and the shrunk rate, by slot (a :class:`wxtime.rates.SlotRates`).

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> from wxtime.rates import estimate_rates
    >>> ax = plot_rates(estimate_rates(load_noon_study()))
    >>> ax.get_ylabel()
    'open rate'
    """
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = rates.summary
    x = np.arange(len(table))
    ax.errorbar(
        x - 0.1,
        table["rate"],
        yerr=[table["rate"] - table["ci_low"], table["ci_high"] - table["rate"]],
        fmt="o",
        capsize=4,
        color="tab:blue",
        label=label("raw", lang),
    )
    ax.errorbar(
        x + 0.1,
        table["rate_shrunk"],
        yerr=[table["rate_shrunk"] - table["shrunk_low"], table["shrunk_high"] - table["rate_shrunk"]],
        fmt="s",
        capsize=4,
        color="tab:orange",
        label=label("shrunk", lang),
    )
    if truth is not None:
        true = truth.set_index("slot").reindex(table["slot"])
        column = {"open": "open_rate", "read": "read_rate", "read_through": "read_through"}.get(rates.metric)
        if column in true.columns:
            ax.plot(x, true[column], "k_", markersize=18, mew=2, label=label("truth", lang))
    ax.set_xticks(x, table["slot"], rotation=45 if len(table) > 8 else 0)
    ax.set_xlabel(label("slot", lang))
    ax.set_ylabel(label(rates.metric, lang))
    ax.set_title(label("rates_by_slot", lang, metric=label(rates.metric, lang)))
    _percent(ax)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_adjusted_rates(model, ax=None, lang: str = "en"):
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
    ax.set_xlabel(label("slot", lang))
    ax.set_ylabel(label("adjusted", lang))
    ax.set_title(label("rates_by_slot", lang, metric=label(model.metric, lang)))
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
    significant = table["p_holm"] < result.alpha
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
    ax.scatter(100 * table["difference"][significant], y[significant.to_numpy()], color="tab:red", zorder=3)
    ax.scatter(
        100 * table["difference"][~significant],
        y[~significant.to_numpy()],
        facecolor="white",
        edgecolor="tab:gray",
        zorder=3,
    )
    ax.axvline(0, color="k", lw=1)
    ax.set_yticks(y, table["slot"])
    ax.set_xlabel(label("difference", lang, ref=result.reference))
    ax.set_ylabel(label("slot", lang))
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_p_best(rates, ax=None, lang: str = "en"):
    """P(best) per slot as bars."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = rates.summary
    colors = ["tab:orange" if s == rates.best_slot else "tab:gray" for s in table["slot"]]
    ax.bar(table["slot"], table["p_best"], color=colors)
    ax.set_ylim(0, 1)
    ax.set_xlabel(label("slot", lang))
    ax.set_ylabel(label("p_best", lang))
    for x, value in enumerate(table["p_best"]):
        ax.annotate(f"{value:.2f}", (x, value), ha="center", va="bottom", fontsize="small")
    return ax


def plot_funnel(funnel: pd.DataFrame, ax=None, lang: str = "en"):
    """Open rate, read rate and read-through by slot (from :func:`wxtime.rates.funnel_table`)."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    metrics = [m for m in ("open", "read") if f"{m}_rate" in funnel.columns]
    width = 0.8 / max(len(metrics), 1)
    x = np.arange(len(funnel))
    for j, metric in enumerate(metrics):
        rate = funnel[f"{metric}_rate"]
        ax.bar(
            x + (j - (len(metrics) - 1) / 2) * width,
            rate,
            width,
            yerr=[rate - funnel[f"{metric}_low"], funnel[f"{metric}_high"] - rate],
            capsize=3,
            label=label(metric, lang),
        )
    ax.set_xticks(x, funnel["slot"])
    ax.set_xlabel(label("slot", lang))
    ax.set_ylabel(label("rate", lang))
    ax.set_title(label("funnel", lang))
    _percent(ax)
    if "read_through" in funnel.columns:
        twin = ax.twinx()
        twin.plot(x, funnel["read_through"], "k.--", label=label("read_through", lang))
        twin.set_ylabel(label("read_through", lang))
        _percent(twin)
        twin.set_ylim(0, 1)
        handles, labels_ = ax.get_legend_handles_labels()
        h2, l2 = twin.get_legend_handles_labels()
        ax.legend(handles + h2, labels_ + l2, fontsize="small", loc="upper left")
    else:
        ax.legend(fontsize="small")
    return ax


def plot_heatmap(table: pd.DataFrame, ax=None, lang: str = "en", value: str = "rate"):
    """Hour x weekday heatmap of a tidy table with columns ``weekday`` (0 = Monday), ``slot`` and ``value``.

    Cells with no pushes stay blank (missing, not zero).
    """
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    grid = table.pivot_table(index="weekday", columns="slot", values=value, aggfunc="mean").reindex(range(7))
    image = ax.imshow(grid.to_numpy(float), aspect="auto", cmap="viridis")
    ax.set_yticks(range(7), WEEKDAYS[lang])
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=45 if grid.shape[1] > 8 else 0)
    ax.set_xlabel(label("slot", lang))
    ax.set_ylabel(label("weekday", lang))
    colorbar = ax.figure.colorbar(image, ax=ax)
    colorbar.set_label(label("rate", lang))
    return ax


def plot_read_curves(curves: pd.DataFrame, ax=None, lang: str = "en", max_age: float = 48):
    """Share of opens arrived by age, one line per slot (from :func:`wxtime.rates.read_curves`)."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    for slot, part in curves[curves["age_hours"] <= max_age].groupby("slot"):
        ax.plot(part["age_hours"], part["share"], marker=".", label=slot)
    ax.set_xlabel(label("age", lang))
    ax.set_ylabel(label("share_of_opens", lang))
    _percent(ax)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(title=label("slot", lang), fontsize="small")
    return ax


def plot_study(study, ax=None, lang: str = "en"):
    """A simulated study: each push's open rate by slot over the true rate curve."""
    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    pushes = study.pushes
    hours = np.linspace(0, 24, 289)
    true_curve = study.audience.truth(hours[:-1])
    ax.plot(true_curve["slot_hour"], true_curve["open_rate"], color="k", lw=1, label=label("truth", lang))
    ax.scatter(
        pushes["slot_hour"],
        pushes["opened"] / pushes["delivered"],
        s=12,
        alpha=0.6,
        label=label("observed", lang),
    )
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xlabel(label("hour", lang))
    ax.set_ylabel(label("open", lang))
    _percent(ax)
    ax.legend(fontsize="small")
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
    ax.set_xlabel(label("day", lang))
    ax.set_ylabel(label(what, lang))
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
    ax.set_xlabel(label("day", lang))
    ax.set_ylabel(label("allocation", lang))
    ax.set_ylim(0, 1)
    ax.set_xlim(table.index.min(), table.index.max())
    ax.legend(fontsize="x-small", ncol=2 if table.shape[1] > 8 else 1, loc="upper right")
    return ax


def plot_posteriors(recommendation, ax=None, lang: str = "en"):
    """Posterior density of each slot's rate (a :class:`wxtime.bandits.Recommendation`)."""
    from scipy import stats

    lang = resolve_lang(lang)
    ax = _axes(ax, lang)
    table = recommendation.summary
    phi = recommendation.dispersion
    prior = getattr(recommendation.policy, "prior", (1.0, 1.0))
    a = prior[0] + table["opened"].to_numpy() / phi
    b = prior[1] + (table["delivered"] - table["opened"]).to_numpy() / phi
    low = stats.beta.ppf(0.0005, a, b).min()
    high = stats.beta.ppf(0.9995, a, b).max()
    grid = np.linspace(low, high, 400)
    for slot, ai, bi in zip(table["slot"], a, b):
        ax.plot(grid, stats.beta.pdf(grid, ai, bi), label=slot)
    ax.set_xlabel(label("open", lang))
    ax.set_ylabel(label("density", lang))
    _percent(ax, axis="x")
    ax.legend(fontsize="small")
    return ax
