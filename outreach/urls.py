from django.urls import include, path

from outreach import email_views, sequence_views, views, wizard_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("workspace/switch/", views.workspace_switch, name="workspace_switch"),
    path("prospects/", views.prospect_list, name="prospect_list"),
    path("prospects/<int:prospect_id>/", views.prospect_detail, name="prospect_detail"),
    path(
        "prospects/<int:prospect_id>/tasks/",
        views.prospect_task_create,
        name="prospect_task_create",
    ),
    path(
        "prospects/<int:prospect_id>/wizard-links/",
        views.wizard_link_create,
        name="wizard_link_create",
    ),
    path("wizard-links/<int:link_id>/revoke/", views.wizard_link_revoke, name="wizard_link_revoke"),
    path("tasks/", views.task_queue, name="task_queue"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:task_id>/skip/", views.task_skip, name="task_skip"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/api-keys/<int:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    # The public wizard: what a prospect opens from their link, without signing in.
    path("w/<str:token>/", wizard_views.wizard_step, name="wizard_home"),
    path("w/<str:token>/<int:step>/", wizard_views.wizard_step, name="wizard_step"),
    path("w/<str:token>/report.pdf", wizard_views.wizard_report, name="wizard_report"),
    path("w/<str:token>/video-play/", wizard_views.wizard_video_play, name="wizard_video_play"),
    path("", include("outreach.replies.urls")),
    # Sequences (cadences)
    path("sequences/", sequence_views.sequence_list, name="sequence_list"),
    path("sequences/new/", sequence_views.sequence_create, name="sequence_create"),
    path("sequences/<int:sequence_id>/", sequence_views.sequence_detail, name="sequence_detail"),
    path("sequences/<int:sequence_id>/edit/", sequence_views.sequence_edit, name="sequence_edit"),
    path(
        "enrollments/<int:enrollment_id>/",
        sequence_views.enrollment_detail,
        name="enrollment_detail",
    ),
    path(
        "enrollments/<int:enrollment_id>/<str:action>/",
        sequence_views.enrollment_action,
        name="enrollment_action",
    ),
    path(
        "prospects/<int:prospect_id>/enroll/",
        sequence_views.prospect_enroll,
        name="prospect_enroll",
    ),
    # Public: the links inside sequence emails
    path("e/o/<str:token>/", email_views.email_open, name="email_open"),
    path("e/c/<str:token>/", email_views.email_click, name="email_click"),
    path("unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
]
