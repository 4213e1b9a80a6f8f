"""Pages of list work: imports, bulk actions and search."""

from django.urls import path

from outreach.lists import views

app_name = "lists"
urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_create, name="import_create"),
    path("imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:import_id>/start/", views.import_start, name="import_start"),
    path("imports/<int:import_id>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:import_id>/errors.csv", views.import_error_report, name="import_errors"),
    path("bulk/", views.bulk_action_create, name="bulk_action_create"),
    path("bulk/<int:bulk_id>/", views.bulk_detail, name="bulk_detail"),
    path("search/", views.search, name="search"),
]
