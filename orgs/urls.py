from django.urls import path

from .views import audit, classes, home, movement, people, profile, structure

app_name = "orgs"

org = "orgs/<int:org_id>/"
urlpatterns = [
    path("", home.home, name="home"),
    path("register/", home.application_create, name="application_create"),
    path("register/done/", home.application_done, name="application_done"),
    path(org, home.org_home, name="org_home"),
    path(org + "profile/", profile.profile, name="profile"),
    path(org + "profile/edit/", profile.profile_edit, name="profile_edit"),
    path(org + "structure/", structure.structure, name="structure"),
    path(org + "structure/years/new/", structure.year_create, name="year_create"),
    path(org + "structure/new/<str:kind>/", structure.group_new, name="group_new"),
    path(org + "structure/<int:group_id>/edit/", structure.group_edit, name="group_edit"),
    path(org + "structure/<int:group_id>/archive/", structure.group_archive_view, name="group_archive"),
    path(org + "structure/<int:group_id>/restore/", structure.group_restore_view, name="group_restore"),
    path(org + "classes/<int:group_id>/", classes.class_detail, name="class"),
    path(org + "people/", people.people, name="people"),
    path(org + "people/<int:user_id>/", people.person, name="person"),
    path(org + "people/<int:user_id>/history/", movement.person_history, name="person_history"),
    path(org + "people/<int:user_id>/<slug:action>/", people.person_action, name="person_action"),
    path(org + "movement/", movement.movement, name="movement"),
    path(org + "movement/promotion/", movement.promotion, name="promotion"),
    path(org + "movement/promotion/<int:promotion_id>/", movement.promotion_report, name="promotion_report"),
    path(org + "movement/transfers/", movement.transfers, name="transfers"),
    path(org + "verification/", people.verification, name="verification"),
    path(org + "administrators/", people.administrators, name="administrators"),
    path(org + "audit/", audit.audit, name="audit"),
]
