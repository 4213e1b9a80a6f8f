from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="report_index"),
    path("<slug:name>/", views.report_detail, name="report_detail"),
    path("<slug:name>.csv", views.report_csv, name="report_csv"),
]
