"""The public wizard a prospect opens from their link, and the dashboard's link actions."""

from django.urls import path

from outreach.wizard import views

app_name = "wizard"
urlpatterns = [
    path("w/<str:token>/", views.wizard_step, name="wizard_home"),
    path("w/<str:token>/<int:step>/", views.wizard_step, name="wizard_step"),
    path("w/<str:token>/report.pdf", views.wizard_report, name="wizard_report"),
    path("w/<str:token>/video-play/", views.wizard_video_play, name="wizard_video_play"),
    path("w/<str:token>/video-watched/", views.wizard_video_watched, name="wizard_video_watched"),
    path("w/<str:token>/slots/", views.wizard_slots, name="wizard_slots"),
    path("w/<str:token>/book/", views.wizard_book, name="wizard_book"),
    path(
        "prospects/<int:prospect_id>/wizard-links/",
        views.wizard_link_create,
        name="wizard_link_create",
    ),
    path("wizard-links/<int:link_id>/revoke/", views.wizard_link_revoke, name="wizard_link_revoke"),
]
