"""Mail pages (mailboxes, templates, the composer) and the public links inside our emails."""

from django.urls import path

from outreach.mail import views

app_name = "mail"
urlpatterns = [
    path("mailboxes/", views.mailbox_list, name="mailbox_list"),
    path("mailboxes/new/", views.mailbox_create, name="mailbox_create"),
    path("mailboxes/<int:mailbox_id>/", views.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:mailbox_id>/test/", views.mailbox_test, name="mailbox_test"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:template_id>/", views.template_edit, name="template_edit"),
    path("templates/<int:template_id>/delete/", views.template_delete, name="template_delete"),
    path("compose/", views.compose, name="compose"),
    path("compose/preview/", views.compose_preview, name="compose_preview"),
    path("compose/template/", views.compose_template, name="compose_template"),
    path("emails/<int:email_id>/cancel/", views.email_cancel, name="email_cancel"),
    path("emails/<int:email_id>/retry/", views.email_retry, name="email_retry"),
    # Public: the links inside our emails (paths kept from the sequence emails already sent).
    path("e/o/<str:token>/", views.email_open, name="email_open"),
    path("e/c/<str:token>/", views.email_click, name="email_click"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
