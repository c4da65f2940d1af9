"""The one NinjaAPI: /api/v1/, with OpenAPI at /api/v1/openapi.json and docs at /api/v1/docs."""

from ninja import NinjaAPI

from kotalive.accounts.api import router as accounts_router
from kotalive.agencies.api import router as agencies_router
from kotalive.agencies.api_clients import router as api_clients_router
from kotalive.agencies.audit_api import router as audit_router
from kotalive.cases.api import router as cases_router
from kotalive.cases.bundle_api import router as bundles_router
from kotalive.catalogue.api import router as catalogue_router
from kotalive.complaints.api import public_router as complaints_public_router
from kotalive.complaints.api import router as complaints_router
from kotalive.complaints.lapor_api import router as lapor_router
from kotalive.coordination.api import router as coordination_router
from kotalive.core.api import TextParser, install_error_handlers
from kotalive.core.calendar_api import router as calendar_router
from kotalive.dashboard.api import router as dashboard_router
from kotalive.documents.api import router as documents_router
from kotalive.events.api import router as events_router
from kotalive.notifications.api import router as notifications_router
from kotalive.regions.api import router as regions_router
from kotalive.registry.api import router as registry_router

api = NinjaAPI(
    title="KotaLIVE API",
    version="1",
    description="One citizen app for every agency of a city. Errors answer with `detail`, `code` and `errors` "
    "(field and reason) in the language of Accept-Language (Indonesian by default, English).",
    urls_namespace="api-v1",
    parser=TextParser(),
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/regions", regions_router)
api.add_router("/agencies", agencies_router)
api.add_router("/", catalogue_router)
api.add_router("/", cases_router)
api.add_router("/", bundles_router)
# The fixed paths (/complaints/categories, /complaints/public) before /complaints/{tracking}.
api.add_router("/", complaints_public_router)
api.add_router("/", complaints_router)
api.add_router("/", lapor_router)
api.add_router("/", coordination_router)
api.add_router("/", dashboard_router)
api.add_router("/calendar", calendar_router)
api.add_router("/", events_router)
api.add_router("/", registry_router)
api.add_router("/", api_clients_router)
api.add_router("/", notifications_router)
api.add_router("/", documents_router)
api.add_router("/", audit_router)
