from django.urls import path, re_path

from outreach.replies import views, webhooks

app_name = "replies"
urlpatterns = [
    path("replies/", views.inbox, name="reply_inbox"),
    path("replies/<int:reply_id>/", views.reply_detail, name="reply_detail"),
    path("replies/<int:reply_id>/triage/", views.reply_triage, name="reply_triage"),
    path("replies/<int:reply_id>/ignore/", views.reply_ignore, name="reply_ignore"),
    path("replies/<int:reply_id>/answer/", views.reply_answer, name="reply_answer"),
    path("replies/<int:reply_id>/link/", views.reply_link, name="reply_link"),
    path("settings/inbound-email/", views.inbound_settings, name="reply_inbound_settings"),
    # Public: MTAs and Mailgun post here. A trailing slash is optional, since a redirect would
    # lose a POST.
    re_path(
        r"^inbound/(?P<secret>[\w-]{1,64})/raw/?$", webhooks.raw_delivery, name="reply_raw_delivery"
    ),
    re_path(
        r"^inbound/mailgun(?:/mime)?/?$",
        webhooks.MailgunInboundView.as_view(),
        name="reply_mailgun_inbound",
    ),
]
