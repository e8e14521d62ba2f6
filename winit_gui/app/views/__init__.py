"""pyqtgraph views: each renders a Snapshot and nothing else."""
