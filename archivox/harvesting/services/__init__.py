"""Every write of the harvesting app, one module per stage: ``repositories`` (registering
repositories and shared collections), ``harvest`` (runs: requests, records, the index)."""

from archivox.harvesting.services.harvest import (
    harvest_due,
    harvest_run_execute,
    harvest_start,
    limits_from_settings,
)
from archivox.harvesting.services.repositories import (
    MANAGE,
    repository_create,
    repository_delete,
    shared_collection_create,
    shared_collection_delete,
)

__all__ = [
    "MANAGE",
    "harvest_due",
    "harvest_run_execute",
    "harvest_start",
    "limits_from_settings",
    "repository_create",
    "repository_delete",
    "shared_collection_create",
    "shared_collection_delete",
]
