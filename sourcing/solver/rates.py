"""Rate-card pricing: a parcel's price as an exact step function of its weight.

A home-delivery fulfilment from a location with parcel services costs the
rate card's price for the destination's distance band and the band of the
fulfilment's total weight, instead of the location's fixed and per-km terms
(which stay as they are at locations without services). The service is the
profile's choice: the cheapest for the weight, or the cheapest of those that
deliver by the order's need-by date (all of them when none does). A click
and collect fulfilment from a location other than the collection store,
with a transfer service, costs that service's price for the distance to the
store and the weight moved, the same way; the store's own units, and
transfers from locations without a transfer service, keep the flat terms.

Per candidate r the services' weight bands merge into one step function:
starts s_0 = 0 < s_1 < ... and prices p_b (weighted by ``weights.shipping``).
The model (``bands``, added to ``mip`` for the kept candidates that have one):

    (7)  sum_b u_rb = y_r                       one band when the fulfilment exists
    (8)  sum_k w_k x_rk >= sum_b s_b u_rb       the weight is at least the band's start
    (9)  sum_k w_k x_rk <= sum_b e_b u_rb       and at most its end (next start - 1)
    cost sum_b p_b u_rb

For the reduction the arrays carry a line under each step function instead,
alpha_r + beta_r W on [0, the order's weight] (``under_line``): alpha_r in
f_r and beta_r w_k in the unit costs. Every plan costs at least that, so the
bounds stay valid and candidates are pruned exactly as before. Enumeration
over the kept candidates then prices subsets by the under-line, a lower
bound, and prices them exactly best first (``rated_enum``, ``rated_pairs``,
``rated_larger``)
until the bound proves the best; else the MIP (which swaps the under-line
for the bands) settles it.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from sourcing.solver import eta
from sourcing.solver.carriers import CarrierService, ServiceChoice
from sourcing.solver.clock import distance_bands
from sourcing.solver.inputs import Location, OrderType
from sourcing.solver.sharing import identities, promise_groups
from sourcing.solver.sums import row_sums
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.weights import Weights

if TYPE_CHECKING:
    from sourcing.solver.problem import SourcingProblem

T = TypeVar("T")


# Where the line under a step function is made highest, as a share of the order's
# weight: at half of it, two parcels sharing the order are bounded best (their bound
# is twice the line's value there), and a single parcel of the whole order loses
# little; aiming at the whole weight can leave a steep line far below the steps.
AIM = 0.5


@dataclass(frozen=True, slots=True)
class RateSteps:
    """Per rated candidate, the parcel price as a step function of the parcel's weight."""

    location: IntArray  # (R,) candidate index of each rated candidate
    starts: tuple[IntArray, ...]  # per r: band starts in grams, ascending, the first 0
    prices: tuple[FloatArray, ...]  # per r: weighted price of each band
    services: tuple[tuple[CarrierService, ...], ...]  # per r: the service chosen per band
    dearest: FloatArray  # (R,) max_b p_b
    line_weight: IntArray  # (K,) grams per unit of each line
    # A line under the step function on [0, the order's weight]: price >= alpha + beta W.
    alpha: FloatArray  # (R,) goes into f_r
    beta: FloatArray  # (R,) per gram, goes into the unit costs

    def band(self, r: int, weight: int) -> int:
        """The band a parcel of ``weight`` grams falls in at rated candidate r."""
        return int(np.searchsorted(self.starts[r], weight, side="right")) - 1

    def cost(self, allocation: IntArray) -> float:
        """The weighted rate-card price of every used rated candidate's parcel."""
        taken = allocation[self.location]
        weight = taken @ self.line_weight
        used = row_sums(taken) > 0
        return float(
            sum(self.prices[r][self.band(int(r), int(weight[r]))] for r in np.flatnonzero(used))
        )

    def service(self, r: int, weight: int) -> CarrierService:
        """The service a parcel of ``weight`` grams goes with at rated candidate r."""
        return self.services[r][self.band(r, weight)]


def _merge(
    services: tuple[CarrierService, ...], distance_km: float, weight: float
) -> tuple[IntArray, FloatArray, tuple[CarrierService, ...]]:
    """The cheapest service per merged weight band (the first listed on equal prices)."""
    starts = sorted({band.lower_g for s in services for band in s.weight_bands})
    prices, chosen = [], []
    for start in starts:
        best: tuple[float, CarrierService] | None = None
        for service in services:
            w = next(
                i
                for i, band in enumerate(service.weight_bands)
                if band.upper_g is None or start < band.upper_g
            )
            price = weight * service.prices[service.distance_band(distance_km)][w]
            if best is None or price < best[0]:
                best = (price, service)
        assert best is not None  # services is never empty here
        prices.append(best[0])
        chosen.append(best[1])
    return np.array(starts, dtype=np.int64), np.array(prices, dtype=float), tuple(chosen)


def rate_steps(
    problem: SourcingProblem, distance_km: FloatArray, usable: IntArray, weights: Weights
) -> RateSteps | None:
    """The step functions of the usable candidates with a rate card; None if none has one.

    Home delivery: the parcel services. Click and collect: the transfer
    service of each candidate other than the collection store (``distance_km``
    is then the distance to the store); the store's own units keep the flat terms.
    """
    if problem.order.type is OrderType.HD:
        groups = _services_of(problem, distance_km, usable)
    else:
        groups = _transfers_of(problem, usable)
    line_weight = np.array([line.weight_g for line in problem.order.lines], dtype=np.int64)
    total = int(line_weight @ np.array([line.quantity for line in problem.order.lines]))
    rated: list[IntArray] = []
    starts: list[IntArray] = []
    prices: list[FloatArray] = []
    services: list[tuple[CarrierService, ...]] = []
    numbers: list[FloatArray] = []  # per member: alpha, beta, dearest
    # Locations share rate cards: each distinct card (services and the distance band
    # of each) is merged and bounded once per order; its members share its arrays.
    for allowed, members in groups.values():
        index = np.array(members, dtype=np.int64)
        km = distance_km[index]
        bands = np.stack([distance_bands(service, km) for service in allowed])
        distinct, which = np.unique(bands, axis=1, return_inverse=True)
        which = which.ravel()
        merged = []
        for column in range(distinct.shape[1]):
            first = int(np.flatnonzero(which == column)[0])
            merged.append(_card(allowed, float(km[first]), weights.shipping, total))
        rated.append(index)
        starts.extend(_pick([c.starts for c in merged], which))
        prices.extend(_pick([c.prices for c in merged], which))
        services.extend(_pick([c.services for c in merged], which))
        numbers.append(np.array([(c.alpha, c.beta, c.dearest) for c in merged])[which])
    if not rated:
        return None
    alpha, beta, dearest = np.concatenate(numbers).T
    return RateSteps(
        location=np.concatenate(rated),
        starts=tuple(starts),
        prices=tuple(prices),
        services=tuple(services),
        dearest=dearest.copy(),
        line_weight=line_weight,
        alpha=alpha.copy(),
        beta=beta.copy(),
    )


def _card(
    allowed: tuple[CarrierService, ...], distance_km: float, weight: float, total: int
) -> Card:
    """The merged card of ``allowed`` at this distance, with its under-line."""
    starts, prices, chosen = _merge(allowed, distance_km, weight)
    alpha, beta = under_line(starts, prices, total)
    return Card(starts, prices, chosen, alpha, beta, float(prices.max()))


def _pick(items: list[T], which: IntArray) -> tuple[T, ...]:
    """``items[w]`` for every w in ``which``, at C speed."""
    if len(which) == 1:
        return (items[int(which[0])],)
    picked: tuple[T, ...] = operator.itemgetter(*which.tolist())(items)
    return picked


@dataclass(frozen=True, slots=True)
class Card:
    """One merged rate card for a distance band, with its under-line."""

    starts: IntArray
    prices: FloatArray
    services: tuple[CarrierService, ...]
    alpha: float
    beta: float
    dearest: float  # the card's highest price


def _services_of(
    problem: SourcingProblem, distance_km: FloatArray, usable: IntArray
) -> dict[tuple[int, ...], tuple[tuple[CarrierService, ...], list[int]]]:
    """The usable candidates with parcel services, grouped by the services they may choose."""
    groups: dict[tuple[int, ...], tuple[tuple[CarrierService, ...], list[int]]] = {}
    locations = problem.locations
    if problem.profile.service_choice is ServiceChoice.MEETS_NEED_BY:
        allowed_at = _meeting_need_by(problem, distance_km, usable)
        for i in usable.tolist():
            allowed = allowed_at.get(i, ())
            if allowed:
                groups.setdefault(tuple(map(id, allowed)), (allowed, []))[1].append(i)
        return groups
    # The cheapest choice depends only on what is offered: locations sharing their
    # services (one tuple, as loaded) are grouped by its identity, at numpy speed.
    offered = identities(locations)[usable, 1]
    _, first, which = np.unique(offered, return_index=True, return_inverse=True)
    for group, at in enumerate(first.tolist()):
        location = locations[int(usable[at])]
        allowed = location.parcel_services if location.carrier_services else ()
        if allowed:
            members = usable[which.ravel() == group].tolist()
            groups.setdefault(tuple(map(id, allowed)), (allowed, []))[1].extend(members)
    return groups


def _transfers_of(
    problem: SourcingProblem, usable: IntArray
) -> dict[tuple[int, ...], tuple[tuple[CarrierService, ...], list[int]]]:
    """The usable candidates that would transfer to the collection store, by transfer service."""
    groups: dict[tuple[int, ...], tuple[tuple[CarrierService, ...], list[int]]] = {}
    store = problem.order.collection_location_ref
    locations = problem.locations
    indices = usable.tolist()
    for i, transfer in zip(indices, transfer_services(locations, indices), strict=True):
        if transfer is not None and locations[i].ref != store:
            groups.setdefault((id(transfer),), ((transfer,), []))[1].append(i)
    return groups


def transfer_services(
    locations: tuple[Location, ...], indices: list[int]
) -> list[CarrierService | None]:
    """Each of ``locations[indices]``'s transfer service, looked up once per services tuple
    (locations loaded together share one tuple of equal services)."""
    if not indices:
        return []
    _, first, which = np.unique(
        identities(locations)[indices, 1], return_index=True, return_inverse=True
    )
    known = [locations[indices[at]].transfer_service for at in first.tolist()]
    return list(_pick(known, which.ravel()))


def _meeting_need_by(
    problem: SourcingProblem, distance_km: FloatArray, usable: IntArray
) -> dict[int, tuple[CarrierService, ...]]:
    """The parcel services each usable candidate may choose under ``MEETS_NEED_BY``, by index.

    Those whose delivery date (the ETA rules, location time) is no later
    than the need-by's local date; all of them when none does or the
    location is never ready. Candidates sharing a calendar and services are
    asked together: a promise is the end of its delivery day
    (``Clock.parcels_promised_codes``), so comparing it with the end of the
    need-by's day compares the days.
    """
    locations = problem.locations
    need_by, now = problem.order.need_by, problem.now
    if not need_by or not now:
        return {i: locations[i].parcel_services for i in usable.tolist()}
    if need_by.utcoffset() is None:
        need_by = need_by.replace(tzinfo=UTC)  # a naive need-by is read as UTC
    clock = problem.eta_clock()
    allowed: dict[int, tuple[CarrierService, ...]] = {}
    # Days without room move a location's ready-by, so they are part of the groups' key.
    for full, members in promise_groups(problem, usable.tolist()):
        like = locations[members[0]]
        if not like.carrier_services:  # the group's members share the services tuple
            continue
        services = like.parcel_services
        zone = clock.zone(like.calendar)
        last = eta.end_of(need_by.astimezone(zone).date(), zone)
        hours = np.array([locations[i].pick_pack_hours for i in members], dtype=float)
        km = distance_km[members]
        in_time = np.zeros((len(members), len(services)), dtype=bool)
        for s, service in enumerate(services):
            answers, code = clock.parcels_promised_codes(like.calendar, hours, service, km, full)
            in_time[:, s] = np.array([d is not None and d <= last for d in answers], bool)[code]
        # Never ready: nothing to choose by, so every service (as when none is in time).
        distinct, hour_of = np.unique(hours, return_inverse=True)
        ready = [clock.ready_by(like.calendar, h, full) is not None for h in distinct.tolist()]
        in_time[~np.array(ready, dtype=bool)[hour_of.ravel()]] = False
        patterns, pattern_of = np.unique(in_time, axis=0, return_inverse=True)
        chosen = [
            tuple(s for s, ok in zip(services, row, strict=True) if ok) or services
            for row in patterns.tolist()
        ]
        allowed.update(zip(members, (chosen[p] for p in pattern_of.ravel().tolist()), strict=True))
    return allowed


def under_line(starts: IntArray, prices: FloatArray, total: int) -> tuple[float, float]:
    """The line alpha + beta W (beta >= 0) under the step function on [0, total].

    No parcel of the order weighs more than ``total``, so the steps matter at
    their ends up to it: the line must pass below (band end, band price) for
    each band that starts by ``total`` (the last end being ``total``) and
    (0, first price). Of those lines, the one highest at ``AIM * total``.
    """
    kept = int(np.searchsorted(starts, total, side="right"))
    ends = np.append(starts[1:kept] - 1.0, float(total))
    xs = np.append(0.0, ends)
    ys = np.append(prices[0], prices[:kept])
    best = (float(ys.min()), 0.0)
    if total <= 0:
        return best
    slack = 1e-9 * max(1.0, float(ys.max()))
    # Every line through two of the points, at once; kept if it rises and stays under all.
    i, j = np.triu_indices(len(xs), k=1)
    i, j = i[xs[j] > xs[i]], j[xs[j] > xs[i]]
    beta = (ys[j] - ys[i]) / (xs[j] - xs[i])
    alpha = ys[i] - beta * xs[i]
    ok = (beta >= 0) & (alpha[:, None] + beta[:, None] * xs[None, :] <= ys[None, :] + slack).all(
        axis=1
    )
    if not ok.any():
        return best
    value = np.where(ok, alpha + beta * AIM * total, -np.inf)
    pick = int(np.argmax(value))  # the first of equals, as the pairs come in order
    if value[pick] > best[0]:
        best = (float(alpha[pick]), float(beta[pick]))
    return best


def replace_flat_terms(
    steps: RateSteps,
    unit_parts: dict[str, FloatArray],
    fulfilment_parts: dict[str, FloatArray],
) -> None:
    """Drop the fixed, per-km and km-per-fulfilment terms where a rate card prices the parcel."""
    rated = steps.location
    for term in ("fixed", "distance"):
        fulfilment_parts[term] = np.array(fulfilment_parts[term], dtype=float, copy=True)
        fulfilment_parts[term][rated] = 0.0
    unit_parts["shipping"] = np.array(unit_parts["shipping"], dtype=float, copy=True)
    unit_parts["shipping"][rated, :] = 0.0


def lower_bound(steps: RateSteps | None, n_locations: int) -> FloatArray:
    """Per candidate, the under-line's intercept alpha (0 where no rate card applies)."""
    floor = np.zeros(n_locations)
    if steps is not None:
        floor[steps.location] = steps.alpha
    return floor


def unit_lower_bound(steps: RateSteps | None, shape: tuple[int, int]) -> FloatArray:
    """Per candidate and line, the under-line's slope times the line's unit weight."""
    floor = np.zeros(shape)
    if steps is not None:
        floor[steps.location] = steps.beta[:, None] * steps.line_weight[None, :]
    return floor


__all__ = [
    "RateSteps",
    "lower_bound",
    "rate_steps",
    "replace_flat_terms",
    "under_line",
    "unit_lower_bound",
]
