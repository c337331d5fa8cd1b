from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path

urlpatterns = [
    path("", include("simulator.web.urls")),
    path("admin/", admin.site.urls),
    # daphne serves the app alone (no separate web server in the embedded setup), so Django serves
    # the bundle too: from STATICFILES_DIRS through the staticfiles finders, whatever DEBUG says.
    re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}),
]
