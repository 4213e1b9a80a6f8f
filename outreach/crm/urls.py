"""Dashboard pages of the CRM."""

from django.urls import path

from outreach.crm import board_views, record_views, setup_views, task_views, views

app_name = "crm"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("prospects/", views.prospect_list, name="prospect_list"),
    path("prospects/export.csv", views.prospect_export, name="prospect_export"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/export.csv", views.contact_export, name="contact_export"),
    path("views/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:view_id>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("prospects/<int:prospect_id>/", views.prospect_detail, name="prospect_detail"),
    path(
        "prospects/<int:prospect_id>/tasks/",
        views.prospect_task_create,
        name="prospect_task_create",
    ),
    # Creating, editing and deleting records, and editing a prospect's fields in place.
    path("prospects/new/", record_views.prospect_create, name="prospect_create"),
    path("prospects/options/", record_views.prospect_options, name="prospect_options"),
    path("prospects/<int:prospect_id>/edit/", record_views.prospect_edit, name="prospect_edit"),
    path(
        "prospects/<int:prospect_id>/delete/",
        record_views.prospect_delete,
        name="prospect_delete",
    ),
    path(
        "prospects/<int:prospect_id>/fields/<slug:field>/",
        record_views.prospect_field,
        name="prospect_field",
    ),
    path("contacts/new/", record_views.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/", record_views.contact_detail, name="contact_detail"),
    path("contacts/<int:contact_id>/edit/", record_views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/delete/", record_views.contact_delete, name="contact_delete"),
    path("contacts/<int:contact_id>/log/", record_views.contact_log, name="contact_log"),
    path("deals/new/", record_views.deal_create, name="deal_create"),
    path("deals/<int:deal_id>/edit/", record_views.deal_edit, name="deal_edit"),
    path("deals/<int:deal_id>/delete/", record_views.deal_delete, name="deal_delete"),
    path("deals/<int:deal_id>/stage/", record_views.deal_stage, name="deal_stage"),
    # The deal board.
    path("deals/board/", board_views.deal_board, name="deal_board"),
    path("deals/<int:deal_id>/move/", board_views.deal_move, name="deal_move"),
    # The task queue.
    path("tasks/", task_views.task_queue, name="task_queue"),
    path("tasks/<int:task_id>/complete/", task_views.task_complete, name="task_complete"),
    path("tasks/<int:task_id>/skip/", task_views.task_skip, name="task_skip"),
    path("tasks/<int:task_id>/snooze/", task_views.task_snooze, name="task_snooze"),
    # Admins set the CRM up: tags and pipelines.
    path("settings/tags/", setup_views.tag_list, name="tag_list"),
    path("settings/tags/<int:tag_id>/edit/", setup_views.tag_edit, name="tag_edit"),
    path("settings/tags/<int:tag_id>/delete/", setup_views.tag_delete, name="tag_delete"),
    path("settings/pipelines/", setup_views.pipeline_list, name="pipeline_list"),
    path("settings/pipelines/new/", setup_views.pipeline_create, name="pipeline_create"),
    path(
        "settings/pipelines/<int:pipeline_id>/edit/",
        setup_views.pipeline_edit,
        name="pipeline_edit",
    ),
    path(
        "settings/pipelines/<int:pipeline_id>/delete/",
        setup_views.pipeline_delete,
        name="pipeline_delete",
    ),
]
