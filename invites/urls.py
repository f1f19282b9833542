app_name = "invites"
urlpatterns = []
