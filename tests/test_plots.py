"""Plots return their axes, draw on the axes they are given, and never call plt.show()."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from wxtime import plots
from wxtime.abtest import compare_slots
from wxtime.bandits import Thompson, recommend, simulate
from wxtime.datasets import load_noon_curves, load_noon_study, make_noon_study
from wxtime.decision import decide
from wxtime.models import fit_slot_model
from wxtime.planning import plan_study
from wxtime.rates import RateModel, estimate_rates, funnel_table, rates_by_weekday, read_curves


@pytest.fixture(scope="module")
def pushes():
    return load_noon_study()


def _calls(pushes):
    rates = estimate_rates(pushes)
    return {
        "rates": lambda ax: plots.plot_rates(rates, ax=ax),
        "p_best": lambda ax: plots.plot_p_best(rates, ax=ax),
        "funnel": lambda ax: plots.plot_funnel(funnel_table(pushes), ax=ax),
        "heatmap": lambda ax: plots.plot_heatmap(rates_by_weekday(pushes), ax=ax),
        "curves": lambda ax: plots.plot_read_curves(read_curves(load_noon_curves(), pushes), ax=ax),
        "adjusted": lambda ax: plots.plot_adjusted_rates(RateModel().fit(pushes), ax=ax),
        "study": lambda ax: plots.plot_study(make_noon_study(), ax=ax),
        "differences": lambda ax: plots.plot_differences(compare_slots(pushes, n_permutations=0), ax=ax),
        "bandit_pcs": lambda ax: plots.plot_bandit_curves([_sim()], ax=ax),
        "bandit_regret": lambda ax: plots.plot_bandit_curves([_sim()], ax=ax, what="regret"),
        "allocation": lambda ax: plots.plot_allocation(_sim(), ax=ax),
        "posteriors": lambda ax: plots.plot_posteriors(estimate_rates(pushes).posterior, ax=ax),
        "advice": lambda ax: plots.plot_advice(recommend(pushes), ax=ax),
        "decision": lambda ax: plots.plot_decision(decide(pushes, plan=False, n_permutations=0), ax=ax),
        "power": lambda ax: plots.plot_power_curve(
            plan_study(fit_slot_model(pushes), lift=0.3, n_sim=500), ax=ax
        ),
    }


def _sim():
    return simulate(Thompson(), [0.05, 0.06, 0.07], days=20, replications=50, seed=1)


@pytest.mark.parametrize(
    "name",
    [
        "rates",
        "p_best",
        "funnel",
        "heatmap",
        "curves",
        "adjusted",
        "study",
        "differences",
        "bandit_pcs",
        "bandit_regret",
        "allocation",
        "posteriors",
        "advice",
        "decision",
        "power",
    ],
)
def test_plot_draws_on_the_given_axes_and_returns_them(pushes, name, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    _, ax = plt.subplots()
    assert _calls(pushes)[name](ax) is ax
    assert ax.has_data() or ax.images
    assert _calls(pushes)[name](None) is not None


def test_chinese_labels_or_a_clear_fallback(pushes):
    rates = estimate_rates(pushes)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = plots.plot_rates(rates, lang="zh")
    if plots.cjk_font() is None:
        assert any("CJK font" in str(w.message) for w in caught)
        assert ax.get_xlabel() == "send slot"
    else:
        assert ax.get_xlabel() == "推送时段"


def test_truth_overlay_and_labels(pushes):
    from wxtime.datasets import load_noon_truth

    ax = plots.plot_rates(estimate_rates(pushes), truth=load_noon_truth())
    assert "true rate" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError):
        plots.resolve_lang("fr")


def test_interval_labels_state_the_level_they_were_computed_at(pushes):
    """Plot labels hard-coded "95%"."""
    labels = [
        t.get_text() for t in plots.plot_rates(estimate_rates(pushes, level=0.8)).get_legend().get_texts()
    ]
    assert "each slot alone (80% interval)" in labels
    result = compare_slots(pushes, alpha=0.2, n_permutations=0)
    assert "80% interval" in plots.plot_differences(result).get_xlabel()


def test_posterior_plot_draws_the_result_s_own_draws_and_names_the_metric(pushes):
    """plot_posteriors recomputed a posterior and always said 'open rate'."""
    rates = estimate_rates(pushes, "read", seed=4)
    ax = plots.plot_posteriors(rates.posterior)
    assert ax.get_xlabel() == "read rate"
    line = ax.get_lines()[1]  # 12:00
    peak = line.get_xdata()[line.get_ydata().argmax()]
    draws = rates.posterior.draws[:, 1]
    assert (
        abs(peak - np.median(draws)) < 4 * (np.quantile(draws, 0.75) - np.quantile(draws, 0.25)) / 10 + 0.002
    )
