"""Design-space exploration: parameters and ranges (space), objectives and constraints,
strategies (grid, random, lhs, nsga2, tpe), evaluation (serial, process pool, Dask), the
exploration file and its Pareto front. `explorer.sweep` is the grid case of this."""

from explorer.explore.objectives import METRICS, Constraint, parse_objectives, parse_weights
from explorer.explore.run import Spec, explore
from explorer.explore.space import Param, parse_param, sweepable_parameters
from explorer.explore.store import Exploration, load_exploration

__all__ = ["METRICS", "Constraint", "Exploration", "Param", "Spec", "explore",
           "load_exploration", "parse_objectives", "parse_param", "parse_weights",
           "sweepable_parameters"]
