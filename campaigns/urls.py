from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/progress/", views.campaign_progress, name="campaign_progress"),
    path("<int:campaign_id>/launch/", views.campaign_launch, name="campaign_launch"),
    path(
        "<int:campaign_id>/prospects/<int:campaign_prospect_id>/retry/",
        views.campaign_prospect_retry,
        name="campaign_prospect_retry",
    ),
]
