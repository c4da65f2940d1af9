"""The public performance page (`/kinerja/`) and the open data behind it (`/data/`): no sign-in, no personal data;
every number on the page is recomputable from the files with the formulas of docs/coordination-metrics.md."""

import csv
import io
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kotalive.dashboard.access import period_or_default
from kotalive.dashboard.public import DATASETS, data_dictionary, dataset_rows, public_figures
from kotalive.regions.boundaries import region_shapes
from kotalive.regions.models import Region


def _report_map(counts: dict[str, int]) -> dict[str, Any] | None:
    """The region's kelurahan shaded by their reports (0-4), kecamatan outlined; None without boundary data."""
    shapes, width, height = region_shapes(settings.KOTALIVE_REGION_CODE)
    if not shapes:
        return None
    top = max(counts.values(), default=0)
    kelurahan = [
        {
            "shape": s,
            "count": counts.get(s.code, 0),
            "shade": 0 if not counts.get(s.code) else 1 + (3 * counts[s.code]) // max(top, 1),
        }
        for s in shapes
        if s.level == "kelurahan"
    ]
    return {
        "width": width,
        "height": height,
        "kelurahan": kelurahan,
        "kecamatan": [s for s in shapes if s.level == "kecamatan"],
    }


def performance_page(request: HttpRequest) -> HttpResponse:
    start, end = period_or_default(request.GET.get("from"), request.GET.get("to"))
    figures = public_figures(start=start, end=end)
    names = dict(
        Region.objects.filter(code__in=[r["kelurahan"] for r in figures["kelurahan"]]).values_list("code", "name")
    )
    for row in figures["kelurahan"]:
        row["name"] = names.get(row["kelurahan"], row["kelurahan"])
    return render(
        request,
        "web/public_performance.html",
        {
            "figures": figures,
            "start": start,
            "end": end,
            "map": _report_map({r["kelurahan"]: r["submitted"] for r in figures["kelurahan"]}),
        },
    )


def data_index(request: HttpRequest) -> HttpResponse:
    start, end = period_or_default(request.GET.get("from"), request.GET.get("to"))
    return render(
        request,
        "web/open_data.html",
        {
            "datasets": [(name, label, columns) for name, (label, columns) in DATASETS.items()],
            "dictionary": data_dictionary(),
            "start": start,
            "end": end,
        },
    )


def data_file(request: HttpRequest, name: str, extension: str) -> HttpResponse:
    if name == "dictionary" and extension == "json":
        return HttpResponse(json.dumps(data_dictionary(), ensure_ascii=False), content_type="application/json")
    if name not in DATASETS or extension not in ("csv", "json"):
        raise Http404
    start, end = period_or_default(request.GET.get("from"), request.GET.get("to"))
    rows = dataset_rows(name, start=start, end=end)
    if extension == "json":
        body = {"from": start, "to": end, "rows": rows}
        return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), content_type="application/json")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=DATASETS[name][1], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{start}-{end}.csv"'
    return response
