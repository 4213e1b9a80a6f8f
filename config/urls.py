"""URLs: the dashboard, sign-in, the admin, the REST API and media files."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.api import api
from config.media import serve_media
from config.views import healthz, readyz

# A database outage met outside a view is answered 503 too (config/middleware.py).
handler500 = "config.middleware.server_error"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("livez", healthz, name="livez"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("media/<path:path>", serve_media, name="media"),
    path("api/v1/", api.urls),
    path("", include("outreach.crm.urls")),
    path("", include("outreach.lists.urls")),
    path("", include("outreach.workspaces.urls")),
    path("", include("outreach.mail.urls")),
    path("", include("outreach.sequences.urls")),
    path("", include("outreach.replies.urls")),
    path("", include("outreach.wizard.urls")),
    path("", include("outreach.meetings.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("engagement/", include("engagement.urls")),
    path("automations/", include("automations.urls")),
    path("reports/", include("reports.urls")),
]
