"""Dashboard pages of the CRM."""

from django.urls import path

from outreach.crm import views

app_name = "crm"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("prospects/", views.prospect_list, name="prospect_list"),
    path("prospects/<int:prospect_id>/", views.prospect_detail, name="prospect_detail"),
    path(
        "prospects/<int:prospect_id>/tasks/",
        views.prospect_task_create,
        name="prospect_task_create",
    ),
    path("tasks/", views.task_queue, name="task_queue"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:task_id>/skip/", views.task_skip, name="task_skip"),
]
