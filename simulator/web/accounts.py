"""Instructors' sign-in, sign-out and (when KUBEVIZ_INSTRUCTOR_SIGNUP is on) sign-up: Django's
auth views with our templates. Students never sign in: they join with a code."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import classrooms, permissions, services
from . import identity


class SignInView(LoginView):
    template_name = "simulator/sign_in.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "signup": settings.KUBEVIZ_INSTRUCTOR_SIGNUP}


sign_in = SignInView.as_view()
sign_out = LogoutView.as_view()


@require_http_methods(["GET", "POST"])
def sign_up(request):
    """A new instructor account, when the server allows it (KUBEVIZ_INSTRUCTOR_SIGNUP)."""
    if not settings.KUBEVIZ_INSTRUCTOR_SIGNUP:
        return identity.refuse(
            request,
            permissions.Decision(
                False,
                "sign-up is off on this server (KUBEVIZ_INSTRUCTOR_SIGNUP): an administrator creates instructors "
                "with manage.py createinstructor",
            ),
        )
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, _password = classrooms.instructor_create(
                username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("classes")
    return render(request, "simulator/sign_up.html", {"form": form}, status=400 if form.errors else 200)
