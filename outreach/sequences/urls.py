"""Sequence pages and enrollments."""

from django.urls import path

from outreach.sequences import views

app_name = "sequences"
urlpatterns = [
    path("sequences/", views.sequence_list, name="sequence_list"),
    path("sequences/new/", views.sequence_create, name="sequence_create"),
    path("sequences/<int:sequence_id>/", views.sequence_detail, name="sequence_detail"),
    path("sequences/<int:sequence_id>/edit/", views.sequence_edit, name="sequence_edit"),
    path("enrollments/<int:enrollment_id>/", views.enrollment_detail, name="enrollment_detail"),
    path(
        "enrollments/<int:enrollment_id>/<str:action>/",
        views.enrollment_action,
        name="enrollment_action",
    ),
    path("prospects/<int:prospect_id>/enroll/", views.prospect_enroll, name="prospect_enroll"),
]
