"""Meetings: reps' public booking pages, the invitee's meeting page, and the rep's meetings."""

from django.urls import path

from outreach.meetings import views

app_name = "meetings"
urlpatterns = [
    path("book/<str:slug>/", views.booking_page, name="booking_page"),
    path("book/<str:slug>/<slug:type_slug>/", views.booking_slots, name="slots"),
    path("book/<str:slug>/<slug:type_slug>/confirm/", views.booking_book, name="book"),
    path("m/<str:token>/", views.manage, name="manage"),
    path("m/<str:token>/cancel/", views.manage_cancel, name="manage_cancel"),
    path("m/<str:token>/reschedule/", views.manage_reschedule, name="reschedule"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/settings/", views.booking_settings, name="settings"),
    path("meetings/<int:meeting_id>/outcome/", views.meeting_outcome, name="outcome"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
]
