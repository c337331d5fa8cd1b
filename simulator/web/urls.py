"""The pages' URLs (the websocket's is in realtime/routing.py). Every one is in the permission
matrix of tests/app/test_permission_matrix.py: a new route without an entry there fails it."""

from django.urls import path

from . import accounts, board, classes, kubeapi_views, views

urlpatterns = [
    path("", views.home, name="home"),
    # a cluster
    path("clusters/<slug:slug>/", views.cluster, name="cluster"),
    path("clusters/<slug:slug>/delete-object/", views.delete_object, name="cluster-delete-object"),
    path("clusters/<slug:slug>/clock/", views.clock, name="cluster-clock"),
    path("clusters/<slug:slug>/fork/", views.fork, name="cluster-fork"),
    path("clusters/<slug:slug>/reset/", views.reset, name="cluster-reset"),
    path("clusters/<slug:slug>/takeover/", views.takeover, name="cluster-takeover"),
    path("clusters/<slug:slug>/share/", views.share, name="cluster-share"),
    path("clusters/<slug:slug>/delete/", views.delete, name="cluster-delete"),
    path("clusters/<slug:slug>/export.yaml", views.export, name="cluster-export"),
    path("clusters/<slug:slug>/snapshot.json", views.snapshot_json, name="cluster-snapshot"),
    path("clusters/<slug:slug>/kubeconfig", kubeapi_views.kubeconfig, name="cluster-kubeconfig"),
    # instructors
    path("sign-in/", accounts.sign_in, name="sign-in"),
    path("sign-out/", accounts.sign_out, name="sign-out"),
    path("sign-up/", accounts.sign_up, name="sign-up"),
    path("classes/", classes.classes, name="classes"),
    path("classes/<int:pk>/", classes.class_page, name="class"),
    path("classes/<int:pk>/roster/", classes.roster, name="class-roster"),
    path("classes/<int:pk>/board/", board.board_page, name="class-board"),
    path("classes/<int:pk>/board.csv", board.board_csv, name="class-board-csv"),
    path("classes/<int:pk>/spotlight/", board.board_spotlight, name="class-spotlight"),
    path("classes/<int:pk>/qr.svg", classes.qr_svg, name="class-qr"),
    path("classes/<int:pk>/joining/", classes.joining, name="class-joining"),
    path("classes/<int:pk>/push/", classes.push, name="class-push"),
    path("classes/<int:pk>/instructors/", classes.add_instructor, name="class-add-instructor"),
    path(
        "classes/<int:pk>/instructors/<int:user_id>/remove/",
        classes.remove_instructor,
        name="class-remove-instructor",
    ),
    path("classes/<int:pk>/students/<int:student_id>/rename/", classes.rename_student, name="class-rename-student"),
    path("classes/<int:pk>/students/<int:student_id>/remove/", classes.remove_student, name="class-remove-student"),
    path("classes/<int:pk>/delete/", classes.delete_class, name="class-delete"),
    # students
    path("join/", classes.join, name="join"),
    path("join/<str:code>/", classes.join, name="join-code"),
    path("joined/<int:student_id>/", classes.joined, name="joined"),
    path("rejoin/", classes.rejoin, name="rejoin"),
    path("rejoin/<str:code>/", classes.rejoin, name="rejoin-code"),
    path("me/", classes.me, name="me"),
    path("me/<int:student_id>/new-code/", classes.new_rejoin_code, name="me-new-code"),
]
