"""Warehouse-v0: reorder stock for three products facing random demand."""
