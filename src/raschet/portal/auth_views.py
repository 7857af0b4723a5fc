"""Pages of the personal account before the subscriber is in: sign-up, the e-mail confirmation,
sign-in and sign-out, and Django's password reset with the portal's Russian templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.views.decorators.http import require_http_methods

from raschet.domain.errors import ProblemsError
from raschet.portal import services
from raschet.portal.forms import LoginForm, SignUpForm


def problems_to_form(form, error: ProblemsError, *, with_subject: bool = False) -> None:
    """The problems shown on the form (with where, e.g. which meter, when the form has many); a missing
    link is not a form error (the page answers 404)."""
    if isinstance(error, services.NotLinked):
        raise error
    for found in error.problems:
        form.add_error(None, f"{found.subject.capitalize()}: {found.message}" if with_subject else found.message)


@require_http_methods(["GET", "POST"])
def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_up(email=data["email"], password=data["password"], account_number=data["account_number"],
                             code=data["code"], confirm_url=lambda token: request.build_absolute_uri(
                                 reverse("portal:confirm", args=[token])))
        except ProblemsError as error:
            problems_to_form(form, error)
        else:
            return render(request, "portal/signup_sent.html", {"email": data["email"].strip().lower()})
    return render(request, "portal/signup.html", {"form": form})


def confirm(request, token: str):
    try:
        user = services.confirm_email(token=token)
    except ProblemsError as error:
        return render(request, "portal/message.html", {"title": "Адрес не подтверждён",
                                                       "problems": error.problems}, status=400)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    messages.success(request, "Адрес электронной почты подтверждён. Добро пожаловать в личный кабинет!")
    return redirect("portal:home")


class LoginView(auth.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("portal:home")


RESET = {"email_template_name": "portal/password_reset_email.txt",
         "subject_template_name": "portal/password_reset_subject.txt"}

urlpatterns = [
    path("signup/", sign_up, name="signup"),
    path("confirm/<str:token>/", confirm, name="confirm"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(next_page=reverse_lazy("portal:login")), name="logout"),
    path("password/reset/", auth.PasswordResetView.as_view(
        template_name="portal/password_reset.html", success_url=reverse_lazy("portal:password_reset_sent"),
        **RESET), name="password_reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(
        template_name="portal/password_reset_sent.html"), name="password_reset_sent"),
    path("password/reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(
        template_name="portal/password_reset_confirm.html", success_url=reverse_lazy("portal:password_reset_done")),
        name="password_reset_confirm"),
    path("password/reset/done/", auth.PasswordResetCompleteView.as_view(
        template_name="portal/password_reset_done.html"), name="password_reset_done"),
]
