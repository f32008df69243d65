"""Controls: the budget, the risk register, the quality plan and the communication plan."""
