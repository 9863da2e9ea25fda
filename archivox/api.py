"""The JSON API at /api/v1/; each app contributes a router from its api.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI

from archivox.catalog.api import router as catalog_router
from archivox.consultations.api import router as engagement_router
from archivox.core.api import router as core_router
from archivox.exhibitions.api import router as exhibitions_router
from archivox.polls.api import router as polls_router
from archivox.publishing.api import router as publishing_router
from archivox.records_requests.api import router as records_router
from archivox.reservations.api import router as reservations_router
from archivox.survey.api import router as survey_router
from archivox.topics.api import router as topics_router

api = NinjaAPI(
    title="Archivox API",
    version="1",
    description="Catalog, publishing, engagement and survey of archives on self-media.",
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", catalog_router)
api.add_router("/survey/", survey_router)
api.add_router("/publishing/", publishing_router)
api.add_router("/engagement/", engagement_router)
api.add_router("/engagement/reservations/", reservations_router)
api.add_router("/engagement/exhibitions/", exhibitions_router)
api.add_router("/engagement/polls/", polls_router)
api.add_router("/engagement/topics/", topics_router)
api.add_router("/records/", records_router)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """Refused changes answer 422 with the problem per field; nothing was saved."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "permission denied"}, status=403)
