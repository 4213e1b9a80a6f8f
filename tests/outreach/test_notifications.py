"""Admin notifications: an inbox row per admin and one email each, even if sent twice."""

from django.core import mail

from outreach.models import Notification
from outreach.workspaces.services.notifications import notification_email_send, notify_admins
from tests.factories import MembershipFactory, UserFactory


def test_admins_get_a_notification_and_an_email(
    workspace, alice, bob, charlie, django_capture_on_commit_callbacks
):
    second_admin = UserFactory(username="dora")
    MembershipFactory(workspace=workspace, user=second_admin, role="admin")
    with django_capture_on_commit_callbacks(execute=True):
        notify_admins(
            workspace=workspace, title="Stripe downloaded the PDF report", link="/prospects/1/"
        )

    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"alice", "dora"}
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "dora@example.com"]
    assert "Stripe downloaded the PDF report" in mail.outbox[0].subject
    assert "http://127.0.0.1:8000/prospects/1/" in mail.outbox[0].body


def test_a_notification_is_emailed_once(workspace, alice):
    (notification,) = notify_admins(workspace=workspace, title="Hello")
    assert notification_email_send(notification_id=notification.pk) is True
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_the_inbox_page_shows_unread_and_marks_them_read(alice_client, workspace, alice):
    notify_admins(workspace=workspace, title="Ramp replied with interest")
    page = alice_client.get("/notifications/").content.decode()
    assert "Ramp replied with interest" in page
    assert 'class="count-pill">1<' in page
    alice_client.post("/notifications/read/")
    assert "count-pill" not in alice_client.get("/notifications/").content.decode()
