"""The wave as flat arrays: each order's few candidates, their lines, and the shared positions.

Every order's ``SourcingArrays`` is built (so every rule applies as it does
to a single order) and boiled down to an ``OrderModel``:

* a dozen candidate locations, chosen by prices on the order's lines
  (``wave.lines``) among every location the rules allow, with their
  per-fulfilment cost;
* an entry per (candidate, line) the candidate may give: its cap, unit
  cost, the order's own stock level of the product there and the surplus
  above the ideal level;
* what bounds the plans that use a location outside the candidates: the
  line prices' constant, the most negative g of the other locations, and
  the best few outside locations with their g. Prices on stock only make
  g larger; a capacity price adds to the outside location's g exactly, so
  ``outside_bound`` follows the capacity prices.

Orders are fitted in chunks, so that the full (L, K) arrays of only a few
hundred orders are alive at once; an order can be fitted again later with
the wave's prices added (``refit``), when its candidates no longer hold
its best plans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.problem import OrderType
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.lines import LineBlock, ascend, initial_prices, reduced_fixed
from sourcing.solver.wave.model import OUTSIDE_KEPT, OrderModel
from sourcing.solver.wave.subsets import Block, price_block

# Candidates per order in the wave model, and the largest subsets priced
# while they are being chosen.
MAX_CANDIDATES = 10
FIT_SUBSET_SIZE = 2
# Locations per order kept because they serve the most units.
COVERING = 3
# Locations per order the line prices are first fitted on, and their steps.
PREFILTER = 32
FIRST_STEPS = 40
REFINE_STEPS = 20
CHUNK = 256
# Extra cost per unit and per fulfilment of every position and location, for a refit.
Surcharge = Callable[[SourcingArrays, IntArray], tuple[FloatArray, FloatArray]]


@dataclass
class _OrderRows:
    """One order's usable locations, kept while its chunk is fitted.

    ``fit_unit`` and ``fit_fixed`` are the costs the candidates are chosen
    by (with the wave's prices on a refit); ``unit`` and ``fixed`` the
    order's own, which the outside bound must use.
    """

    arrays: SourcingArrays
    usable: IntArray
    fixed: FloatArray
    unit: FloatArray
    fit_fixed: FloatArray
    fit_unit: FloatArray
    cap: IntArray
    product: IntArray  # wave-wide product id per line
    pre: IntArray
    keep: IntArray  # candidates that must stay (the order's current plan)
    certify: FloatArray | None  # line prices the outside bound is proved with, if fixed


def fit(
    arrays_of: Callable[[int], SourcingArrays],
    orders: Sequence[int],
    product_ids: dict[str, int],
    surcharge: Surcharge | None = None,
    keep: Mapping[int, IntArray] | None = None,
    certify: Mapping[int, FloatArray] | None = None,
    candidates: int = MAX_CANDIDATES,
    ascent: bool = True,
) -> list[OrderModel]:
    """The models of ``orders``, whose arrays ``arrays_of(o)`` builds.

    Each keeps up to ``candidates`` locations. ``product_ids`` numbers the
    products wave-wide (extended as needed);
    ``surcharge`` adds the wave's prices to the costs the candidates are
    chosen by; ``keep[o]`` lists locations order o's candidates must keep;
    ``certify[o]`` are the line prices to prove order o's outside bound
    with (by default the ones fitted here). Without ``ascent`` the line
    prices are the first guess (``initial_prices``), not fitted by
    subgradient steps on the orders' best plans: about four times cheaper,
    for callers keeping many candidates, whose choice the steps hardly
    change.
    """
    models: list[OrderModel] = []
    for start in range(0, len(orders), CHUNK):
        rows = [
            _order_rows(
                arrays_of(o),
                product_ids,
                surcharge,
                (keep or {}).get(o),
                (certify or {}).get(o),
            )
            for o in orders[start : start + CHUNK]
        ]
        models.extend(_fit_chunk(rows, candidates) if ascent else _first_guess(rows, candidates))
    return models


def _order_rows(
    arrays: SourcingArrays,
    product_ids: dict[str, int],
    surcharge: Surcharge | None,
    keep: IntArray | None,
    certify: FloatArray | None,
) -> _OrderRows:
    ids = np.array(
        [product_ids.setdefault(p, len(product_ids)) for p in arrays.products], dtype=np.int64
    )
    usable = np.flatnonzero(arrays.cap.any(axis=1))
    unit, fixed = arrays.unit_cost[usable], arrays.fulfilment_cost[usable]
    fit_unit, fit_fixed = unit, fixed
    product = ids[arrays.line_product]
    if surcharge is not None:
        extra_unit, extra_fixed = surcharge(arrays, product)
        fit_unit, fit_fixed = unit + extra_unit[usable], fixed + extra_fixed[usable]
    rows = _OrderRows(
        arrays=arrays,
        usable=usable,
        fixed=fixed,
        unit=unit,
        fit_fixed=fit_fixed,
        fit_unit=fit_unit,
        cap=arrays.cap[usable],
        product=product,
        pre=np.arange(len(usable)),
        keep=np.flatnonzero(np.isin(usable, keep)) if keep is not None else np.zeros(0, int),
        certify=certify,
    )
    if len(usable) > PREFILTER:
        weights = arrays.weights
        units = np.maximum(rows.cap.sum(axis=1), 1)
        # A location's fixed cost shared over the units it could serve: a first line price.
        offered = np.where(
            rows.cap > 0, fit_unit + ((fit_fixed + weights.split) / units)[:, None], np.inf
        )
        cheapest = offered.min(axis=0)
        prices = np.where(np.isfinite(cheapest), cheapest, weights.rejection)
        g = _g(fit_fixed, fit_unit, rows.cap, prices, weights.split)
        best = np.argpartition(g, PREFILTER)[:PREFILTER]
        # Keep, per line, the two locations that serve it cheapest that way.
        per_line = np.argpartition(offered, 1, axis=0)[:2].ravel()
        rows.pre = np.union1d(np.union1d(best, per_line), np.union1d(rows.keep, _covering(rows)))
    return rows


def _covering(rows: _OrderRows) -> IntArray:
    """The locations that can serve the most units of the order, cheapest first among equals.

    A rejected unit costs more than anything else, so with a tight split
    limit these are the locations a plan is made of, whatever their price.
    """
    units = rows.cap.sum(axis=1)
    ranked: IntArray = np.lexsort((rows.fixed, -units))[:COVERING]
    return ranked


def _cover_lines(rows: _OrderRows, chosen: list[int], g: FloatArray) -> IntArray:
    """``chosen`` completed, so that together they may give every unit any location may give.

    For each line they cannot fully serve, the location (by smallest g)
    that gives the most of what is missing joins them.
    """
    cap = rows.cap
    for k in range(cap.shape[1]):
        missing = int(min(cap[:, k].sum(), rows.arrays.quantity[k]) - cap[chosen, k].sum())
        while missing > 0:
            others = np.ones(len(cap), dtype=bool)
            others[chosen] = False
            able = np.flatnonzero(others & (cap[:, k] > 0))
            if not len(able):
                break
            best = able[np.lexsort((g[able], -np.minimum(cap[able, k], missing)))[0]]
            chosen.append(int(best))
            missing -= int(cap[best, k])
    return np.array(chosen, dtype=np.int64)


def _g(
    fixed: FloatArray, unit: FloatArray, cap: IntArray, prices: FloatArray, split: float
) -> FloatArray:
    """g_l of one order's locations at line prices ``prices`` (see ``wave.lines``)."""
    result: FloatArray = fixed + split + (np.minimum(unit - prices, 0.0) * cap).sum(axis=1)
    return result


def _smallest(values: FloatArray, count: int) -> IntArray:
    """Indices of the ``count`` smallest values, smallest first."""
    if count < len(values):
        values_at = np.argpartition(values, count)[:count]
    else:
        values_at = np.arange(len(values))
    result: IntArray = values_at[np.argsort(values[values_at], kind="stable")]
    return result


def _line_block(
    rows: Sequence[_OrderRows], picks: Sequence[IntArray], *, fitted: bool
) -> LineBlock:
    """Dense arrays over ``picks[i]`` (indices into order i's usable locations)."""
    b = len(rows)
    width = max((len(p) for p in picks), default=0)
    lines = max(len(r.arrays.quantity) for r in rows)
    fixed = np.full((b, width), np.inf)
    unit = np.zeros((b, width, lines))
    cap = np.zeros((b, width, lines))
    quantity = np.zeros((b, lines))
    for i, (r, pick) in enumerate(zip(rows, picks, strict=True)):
        n, k = len(pick), len(r.arrays.quantity)
        fixed[i, :n] = (r.fit_fixed if fitted else r.fixed)[pick]
        unit[i, :n, :k] = (r.fit_unit if fitted else r.unit)[pick]
        cap[i, :n, :k] = r.cap[pick]
        quantity[i, :k] = r.arrays.quantity
    return LineBlock(
        fixed,
        unit,
        cap,
        quantity,
        np.array([r.arrays.weights.rejection for r in rows]),
        np.array([r.arrays.weights.split for r in rows]),
        np.array([float(r.arrays.split_limit) for r in rows]),
    )


def _best_plan(block: LineBlock, picks: IntArray) -> tuple[FloatArray, np.ndarray]:
    """The cheapest plan over the ``picks`` (b, M) rows of ``block``: cost and rows used."""
    order = np.arange(len(picks))[:, None]
    priced = price_block(
        Block(
            fixed=block.fixed[order, picks],
            unit=block.unit[order, picks],
            cap=block.cap[order, picks].astype(np.int64),
            quantity=block.quantity.astype(np.int64),
            penalty=block.penalty,
            true_penalty=block.penalty,
            split_weight=block.split_weight,
            split_limit=block.split_limit.astype(np.int64),
        ),
        FIT_SUBSET_SIZE,
    )
    return priced.cost, priced.used


def _top(g: FloatArray, count: int) -> IntArray:
    """Per row, the ``count`` columns with the smallest values (padding where fewer)."""
    width = g.shape[1]
    if width <= count:
        return np.broadcast_to(np.arange(width), g.shape).copy()
    result: IntArray = np.argsort(g, axis=1, kind="stable")[:, :count]
    return result


def _fill(forced: Sequence[int], ranked: IntArray, width: int) -> list[int]:
    chosen = list(dict.fromkeys(forced))
    for row in ranked.tolist():
        if len(chosen) >= width:
            break
        if row not in chosen:
            chosen.append(row)
    return chosen


def _fit_chunk(rows: list[_OrderRows], candidates: int) -> list[OrderModel]:
    """Fit line prices on the chunk, then choose each order's candidates and outside bound."""
    block = _line_block(rows, [r.pre for r in rows], fitted=True)
    prices = initial_prices(block)
    picks = _top(reduced_fixed(block, prices), candidates)
    target, used = _best_plan(block, picks)
    _, prices = ascend(block, prices, target, FIRST_STEPS)
    ranked = _top(reduced_fixed(block, prices), candidates)
    # Rows the first plan used stay: that plan must stay reachable.
    picks = np.array(
        [_fill(picks[i][used[i]].tolist(), ranked[i], picks.shape[1]) for i in range(len(rows))],
        dtype=np.int64,
    ).reshape(len(rows), -1)
    refined, used = _best_plan(block, picks)
    improved = refined < target - 1e-9 * np.maximum(1.0, np.abs(target))
    if improved.any():
        _, better = ascend(block, prices, refined, REFINE_STEPS)
        prices[improved] = better[improved]
    models = []
    for i, r in enumerate(rows):
        plan = r.pre[picks[i][used[i]]] if len(r.pre) else np.zeros(0, dtype=np.int64)
        models.append(_model(r, prices[i, : len(r.arrays.quantity)], plan, candidates))
    return models


def _first_guess(rows: list[_OrderRows], candidates: int) -> list[OrderModel]:
    """Each order's candidates chosen at the first guess of its line prices."""
    prices = initial_prices(_line_block(rows, [r.pre for r in rows], fitted=True))
    none = np.zeros(0, dtype=np.int64)
    return [
        _model(r, prices[i, : len(r.arrays.quantity)], none, candidates) for i, r in enumerate(rows)
    ]


def _model(rows: _OrderRows, prices: FloatArray, plan: IntArray, candidates: int) -> OrderModel:
    """Choose the order's candidates by their g over every usable location; bound the rest."""
    arrays = rows.arrays
    split = arrays.weights.split
    fitted = _g(rows.fit_fixed, rows.fit_unit, rows.cap, prices, split)
    ranked = _smallest(fitted, candidates + len(rows.keep) + len(plan))
    forced = [*rows.keep.tolist(), *plan.tolist(), *_covering(rows).tolist()]
    chosen = _cover_lines(rows, _fill(forced, ranked, candidates), fitted)
    # The prices the candidates were ranked by may include the wave's; the
    # outside bound must hold at any wave prices, so it uses the order's own costs.
    if rows.certify is not None:
        prices = rows.certify
    g = _g(rows.fixed, rows.unit, rows.cap, prices, split)
    negative = np.sort(g[g < 0])
    others = float(negative[: max(arrays.split_limit - 1, 0)].sum())
    outside = np.ones(len(g), dtype=bool)
    outside[chosen] = False
    out = np.flatnonzero(outside)
    nearest = out[_smallest(g[out], OUTSIDE_KEPT + 1)]
    floor = float(g[nearest[OUTSIDE_KEPT]]) if len(nearest) > OUTSIDE_KEPT else np.inf
    out = nearest[:OUTSIDE_KEPT]
    q = arrays.quantity
    bound_constant = float(
        prices @ q + np.minimum(0.0, arrays.weights.rejection - prices) @ q - split
    )
    cap = rows.cap[chosen]
    cand, line = np.nonzero(cap)
    location = rows.usable[chosen]
    p = arrays.line_product
    return OrderModel(
        quantity=q,
        line_price=prices,
        cand_location=location,
        cand_fixed=rows.fixed[chosen],
        entry_cand=cand,
        entry_line=line,
        entry_cap=cap[cand, line],
        entry_unit=rows.unit[chosen][cand, line],
        entry_stock=arrays.stock[location[cand], p[line]],
        entry_surplus=arrays.surplus[location[cand], p[line]],
        entry_code=(location[cand] << 32) | rows.product[line],
        penalty=arrays.weights.rejection,
        plan_penalty=arrays.rejection_penalty,
        split_weight=split,
        split_limit=arrays.split_limit,
        ideal_weight=arrays.weights.ideal_stock,
        is_cc=arrays.problem.order.type is OrderType.CC,
        bound_constant=bound_constant,
        others=others,
        outside_location=rows.usable[out],
        outside_g=g[out],
        outside_floor=floor,
    )
