"""Services called while a request is served act for its signed-in user (see ``raschet.access``)."""

from raschet.access import acting_as


class ActingUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request.user):
            return self.get_response(request)
