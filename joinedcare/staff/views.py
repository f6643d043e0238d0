"""Sign in, second factor, sign out."""

import segno
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from joinedcare.home.next_page import next_page

from . import signin
from .forms import CodeForm, SignInForm
from .models import StaffUser

_PENDING = "second_factor_user"
_NEXT = "after_sign_in"


def _next_url(request: HttpRequest) -> str:
    return next_page(request, request.session.pop(_NEXT, ""))


@login_not_required
@sensitive_post_parameters("password")
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "GET" and request.GET.get("next"):
        request.session[_NEXT] = request.GET["next"]
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        locked = signin.minutes_locked(username)
        if locked:
            form.add_error(
                None,
                f"Too many failed attempts. Try again in {locked} minute"
                f"{'s' if locked != 1 else ''}, or ask your administrator to help.",
            )
        else:
            user = signin.check_password(request, username, form.cleaned_data["password"])
            if user is None:
                form.add_error(None, "The username or password is not right.")
            elif user.needs_second_factor:
                request.session.cycle_key()
                request.session[_PENDING] = user.pk
                return redirect("sign-in-code")
            else:
                login(request, user)
                return redirect(_next_url(request))
    return render(request, "staff/sign_in.html", {"form": form})


@login_not_required
def second_factor(request: HttpRequest) -> HttpResponse:
    user = StaffUser.objects.filter(pk=request.session.get(_PENDING), is_active=True).first()
    if user is None:
        return redirect("sign-in")
    device = signin.device_for(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if signin.verify_code(device, form.cleaned_data["code"]):
            del request.session[_PENDING]
            login(request, user)
            return redirect(_next_url(request))
        form.add_error("code", "This code is not right or has already been used")
    enrolling = device.confirmed_at is None
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        uri = signin.provisioning_uri(device)
        context |= {"secret": device.secret, "qr_svg": segno.make(uri).svg_inline(scale=4)}
    return render(request, "staff/second_factor.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("sign-in")
