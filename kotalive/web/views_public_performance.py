"""The public performance page (`/kinerja/`) and the open data behind it (`/data/`): no sign-in, no personal data;
every number on the page is recomputable from the files with the formulas of docs/coordination-metrics.md."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kotalive.dashboard.access import period_or_default
from kotalive.dashboard.public import DATASETS, data_dictionary, dataset_rows, public_figures, rows_csv, services_named
from kotalive.web.charts import kelurahan_named, report_map


def performance_page(request: HttpRequest) -> HttpResponse:
    start, end = period_or_default(request.GET.get("from"), request.GET.get("to"))
    figures = public_figures(start=start, end=end)
    kelurahan_named(figures["kelurahan"])
    services_named(figures["ikm"])
    return render(
        request,
        "web/public_performance.html",
        {
            "figures": figures,
            "start": start,
            "end": end,
            "map": report_map({r["kelurahan"]: r["submitted"] for r in figures["kelurahan"]}),
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
    response = HttpResponse(rows_csv(rows, DATASETS[name][1]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{start}-{end}.csv"'
    return response
