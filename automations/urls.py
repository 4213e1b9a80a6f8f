from django.urls import path

from automations import views

app_name = "automations"
urlpatterns = [
    path("", views.automation_list, name="automation_list"),
    path("new/", views.automation_create, name="automation_create"),
    path("runs/", views.execution_list, name="automation_run_list"),
    path("runs/<int:execution_id>/", views.execution_detail, name="automation_run_detail"),
    path("runs/<int:execution_id>/stop/", views.execution_stop, name="automation_run_stop"),
    path("runs/<int:execution_id>/retry/", views.execution_retry, name="automation_run_retry"),
    path("builder/condition/", views.builder_condition_row, name="automation_builder_condition"),
    path("builder/group/", views.builder_group, name="automation_builder_group"),
    path("builder/action/", views.builder_action_row, name="automation_builder_action"),
    path("<int:automation_id>/", views.automation_detail, name="automation_detail"),
    path("<int:automation_id>/edit/", views.automation_edit, name="automation_edit"),
    path("<int:automation_id>/toggle/", views.automation_toggle, name="automation_toggle"),
    path("<int:automation_id>/delete/", views.automation_delete, name="automation_delete"),
    path("<int:automation_id>/dry-run/", views.automation_dry_run, name="automation_dry_run"),
    path(
        "<int:automation_id>/signing-secret/",
        views.automation_rotate_secret,
        name="automation_rotate_secret",
    ),
]
