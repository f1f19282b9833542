from django.http import HttpResponse
from django.urls import path

app_name = "orgs"
urlpatterns = [path("", lambda r: HttpResponse("ok"), name="home")]
