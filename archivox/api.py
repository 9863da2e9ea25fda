"""The JSON API at /api/v1/; each app contributes a router from its api.py."""

from ninja import NinjaAPI

from archivox.core.api import router as core_router

api = NinjaAPI(
    title="Archivox API",
    version="1",
    description="Catalog, publishing, engagement and survey of archives on self-media.",
    urls_namespace="api",
)
api.add_router("/", core_router)
