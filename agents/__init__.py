"""The agents: final firms and suppliers (one agent set, `Enterprises`) and the government."""

from agents.enterprise import Enterprise, Firm, Supplier
from agents.enterprises import Enterprises
from agents.government import Government

__all__ = ["Enterprise", "Enterprises", "Firm", "Supplier", "Government"]
