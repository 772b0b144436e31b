"""ClusterLab's model: the Mesa model, its space, fields, supply network and indicators."""

from model.params import LEVERS, PARAMS


def __getattr__(name):
    # ClusterModel imports the agents, which import model.population: load it lazily.
    if name == "ClusterModel":
        from model.model import ClusterModel

        return ClusterModel
    raise AttributeError(name)


__all__ = ["ClusterModel", "PARAMS", "LEVERS"]
