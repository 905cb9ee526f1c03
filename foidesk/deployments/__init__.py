"""How desks are laid out on a Prefect server: deployments, work queues and limits."""
