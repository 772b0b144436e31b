"""Site choice with the freight intermediates pay via the gateway (`site_gateway_freight`;
model.location_choice.gateway_freight), checked against the freights written out by hand."""

import numpy as np

from model.location_choice import gateway_freight, site_scores, spot_share_of_local_trade
from model.model import ClusterModel
from model.params import defaults


def test_spot_share_is_spot_over_local_trade():
    sigma = spot_share_of_local_trade([10.0, 8.0, 0.0], [4.0, 2.0, 0.0], [1.0, 0.0, 0.0])
    assert np.allclose(sigma, [1.0 / (10 - 4 + 1), 0.0, 0.0])


def test_gateway_freight_by_hand():
    p = dict(defaults(), n_stages=3)
    theta = np.array([[0.08, 0.04]])
    leg = np.array([[0.02, 0.0]])
    sigma, price = np.array([0.2, 0.5, 0.1]), np.array([0.4, 0.5, 0.8])
    local = np.array([[0.25, 0.25]])
    # a stage-1 supplier: sells good 1 (exports 3/4 at θ; spot share σ_1 of its local sales pays the
    # leg), buys good 0 (θ on the parity, σ_0 of its local purchases over the spot market)
    got = gateway_freight(p, theta, leg, np.array([1]), np.array([False]), local, sigma, price)
    sells = 0.75 * theta + 0.25 * 0.5 / 0.5 * leg
    buys = 0.5 * (theta + 0.2 / 0.4 * leg)
    assert np.allclose(got, sells + buys)
    # a final firm (stage 3): only its purchases of good 2
    got = gateway_freight(p, theta, leg, np.array([3]), np.array([True]), local, sigma, price)
    assert np.allclose(got, 0.75 * (theta + 0.1 / 0.8 * leg))
    # stage 0 buys nothing: only its sales
    got = gateway_freight(p, theta, leg, np.array([0]), np.array([False]), local, sigma, price)
    assert np.allclose(got, 0.75 * theta + 0.25 * 0.2 / 0.4 * leg)


def test_site_score_subtracts_it_and_favours_the_gateway():
    """A supplier far from the gateway loses more than one next to it once the spot leg counts."""
    m = ClusterModel(seed=1, n_firms=20, n_suppliers=30, width=30, height=30)
    p, S = m.params, m.params["n_stages"]
    stage, firm = np.array([1]), np.array([False])
    mx, my = m.market
    cx, cy = np.array([[mx, min(mx + 12, 29)]]), np.array([[my, my]])
    need, out = np.array([1.0]), np.array([1.0])
    base = site_scores(m.fields, p, m.market, m.price, stage, firm, need, out, cx, cy)
    with_freight = site_scores(m.fields, p, m.market, m.price, stage, firm, need, out, cx, cy,
                               np.full(S, 0.5), m.stage_price)
    loss = base - with_freight
    assert (loss > 0).all() and loss[0, 1] > loss[0, 0]
