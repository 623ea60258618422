"""URL map. Pages of an organization live under /o/<org>/, its API under
/api/v1/orgs/<org_slug>/; each app brings its own urls.py and api/urls.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import converters  # noqa: F401  (registers <org:...>, the organization's slug)
from core.forms import SignInForm
from core.security import password as password_views
from core.views import healthz, livez

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("risks.api.urls")),
    path("", include("risks.profile.api.urls")),
    path("", include("risks.soa.api.urls")),
    path("", include("risks.evidence.api.urls")),
    path("", include("kpis.api.urls")),
    path("", include("budgets.api.urls")),
    path("", include("governance.api.urls")),
]

urlpatterns = [
    path("", include("core.urls")),
    path("o/<org:org>/risks/", include("risks.urls")),
    path("o/<org:org>/profile/", include("risks.profile.urls")),
    path("o/<org:org>/statement-of-applicability/", include("risks.soa.urls")),
    path("o/<org:org>/evidence/", include("risks.evidence.urls")),
    path("o/<org:org>/kpis/", include("kpis.urls")),
    path("o/<org:org>/budget/", include("budgets.urls")),
    path("o/<org:org>/", include("governance.urls")),
    path("portfolio/", include("governance.alignment.portfolio_urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    # Concord's protections on Django's password pages (token revocation, reset throttling).
    path("accounts/password_change/", password_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("admin/", admin.site.urls),
]
