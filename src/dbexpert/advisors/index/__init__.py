"""The index advisor: workload -> candidates -> budgeted selection over what-if costs."""
