"""ClusterLab's model: the Mesa model, its space, fields, supply network and indicators."""

import clusterlab_portable

# CLUSTERLAB_PORTABLE=1 in a script that imports the model before numpy: numpy's baseline kernels only.
clusterlab_portable.apply()


def __getattr__(name):
    # Lazily too: `python -m model.params` must find model.params not yet imported (no runpy warning).
    if name in ("PARAMS", "LEVERS"):
        from model import params

        return getattr(params, name)
    # ClusterModel imports the agents, which import model.population: load it lazily.
    if name == "ClusterModel":
        from model.model import ClusterModel

        return ClusterModel
    raise AttributeError(name)


__all__ = ["ClusterModel", "PARAMS", "LEVERS"]
