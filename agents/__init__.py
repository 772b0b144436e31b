"""The agents: final firms, suppliers and the government."""

from agents.enterprise import Enterprise, Firm, Supplier
from agents.government import Government

__all__ = ["Enterprise", "Firm", "Supplier", "Government"]
