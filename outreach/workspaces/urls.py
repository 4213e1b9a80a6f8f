"""Workspace pages: switching workspace, notifications and settings."""

from django.urls import path

from outreach.workspaces import views

app_name = "workspaces"
urlpatterns = [
    path("workspace/switch/", views.workspace_switch, name="workspace_switch"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/api-keys/<int:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
]
