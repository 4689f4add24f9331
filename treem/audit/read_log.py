"""Reads through the API are logged like reads of pages: each page of a list (audit.services.record_list) and each
record opened (audit.services.record_view), for every viewset that returns children's or carers' names or IDs.

    class FindingViewSet(LoggedReadMixin, viewsets.ReadOnlyModelViewSet):
        list_action = "quality.finding.list"        # the audit action of a page of the list
        read_capability = Capability.VIEW_CHILDREN  # whose scope decides the unit the event is filed under

tests/foundation/test_read_audit.py walks every route and fails for one that returns such data without a trace.
"""

from rest_framework.response import Response

from treem.access import Capability
from treem.audit.services import list_unit, record_list, record_view

NOT_FILTERS = ("page", "cursor", "paging", "page_size", "format")


class LoggedListMixin:
    """Each page of `list` is logged with the filters the client sent, the number shown and the unit concerned."""

    list_action = ""  # "<app>.<model>.list"
    read_capability = Capability.VIEW_CHILDREN

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self.log_list(request, response.data)
        return response

    def log_list(self, request, data, **extra_filters) -> None:
        params = request.query_params
        filters = {k: v.strip()[:120] for k, v in params.items() if v.strip() and k not in NOT_FILTERS}
        filters.update(extra_filters)
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        record_list(request.user, self.list_action, filters=filters, shown=len(rows), request=request,
                    unit=list_unit(request.user, self.read_capability, filters.get("commune", "")),
                    page="cursor" if params.get("paging") == "cursor" else params.get("page", "1"))


class LoggedReadMixin(LoggedListMixin):
    """`list` logged as above, and `retrieve` logged as a view of the record (filed under `read_unit(obj)`)."""

    read_what = "api"

    def read_unit(self, obj):
        return getattr(obj, "commune", None)

    def read_objects(self, obj) -> list:
        """The records the event is about (e.g. the two children of a duplicate pair)."""
        return [obj]

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        for item in self.read_objects(obj):
            record_view(request.user, item, unit=self.read_unit(item), request=request, what=self.read_what)
        return Response(self.get_serializer(obj).data)
