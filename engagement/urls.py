from django.urls import path

from engagement import views

app_name = "engagement"
urlpatterns = [
    path("", views.engagement_overview, name="engagement_overview"),
    path("recompute/", views.engagement_recompute_all, name="engagement_recompute_all"),
    path("contacts/<int:contact_id>/", views.engagement_detail, name="engagement_detail"),
    path(
        "contacts/<int:contact_id>/recompute/",
        views.engagement_recompute,
        name="engagement_recompute",
    ),
    path(
        "contacts/<int:contact_id>/override/",
        views.engagement_override,
        name="engagement_override",
    ),
    path(
        "contacts/<int:contact_id>/override/clear/",
        views.engagement_override_clear,
        name="engagement_override_clear",
    ),
    path("settings/", views.engagement_thresholds, name="engagement_thresholds"),
]
