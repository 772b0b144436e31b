"""The agents: final firms and suppliers (one agent set, `Enterprises`) and the government."""

import clusterlab_portable

# CLUSTERLAB_PORTABLE=1 in a script that imports ClusterLab before numpy: baseline kernels only.
clusterlab_portable.apply()

from agents.enterprise import Enterprise, Firm, Supplier
from agents.enterprises import Enterprises
from agents.government import Government

__all__ = ["Enterprise", "Enterprises", "Firm", "Supplier", "Government"]
