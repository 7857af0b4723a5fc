"""What every page of the layout needs: the navigation the signed-in user may see."""

from raschet.workplace import nav


def workplace(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"workplace_nav": []}
    return {"workplace_nav": nav.entries(user, request.path)}
