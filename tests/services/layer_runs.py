"""Shared by the layer tests: parameters that make each kind's run quick."""

#: small but valid parameters per layer kind, so a run of each takes a second or two
FAST_PARAMETERS = {"kde": {"bandwidth": 2000}, "hotspots": {"cell_size": 2000}, "emerging": {"cell_size": 3000},
                   "clusters": {"method": "dbscan", "eps": 400, "min_samples": 5},
                   "near-repeat": {"permutations": 19}, "area-counts": {}, "forecast": {"cell_size": 8000}}
