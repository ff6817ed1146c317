"""Great-circle distances."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_KM = 6371.0088


def haversine_km(
    latitudes: NDArray[np.float64],
    longitudes: NDArray[np.float64],
    latitude: float | NDArray[np.float64],
    longitude: float | NDArray[np.float64],
) -> NDArray[np.float64]:
    """Distances in km from each of many points to one point, by the haversine formula.

    Arrays broadcast: points of shape (1, L) against (R, 1) give every pair.
    """
    lat1 = np.radians(latitudes)
    lat2 = np.radians(latitude)
    dlat = lat2 - lat1
    dlon = np.radians(longitude) - np.radians(longitudes)
    h = np.sin(dlat / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2.0) ** 2
    distance: NDArray[np.float64] = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return distance
