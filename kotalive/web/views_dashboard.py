"""The Live Room's dashboard and an agency head's: the figures of kotalive/dashboard over a period, as tables a
screen reader reads and with the hand-off matrix shaded as a heat map; CSV and JSON exports beside each."""

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kotalive.agencies.labels import agency_name
from kotalive.agencies.models import Agency, StaffRole
from kotalive.catalogue.models import Service
from kotalive.complaints.models import Category
from kotalive.complaints.presenters import category_name
from kotalive.dashboard.access import READERS, agency_head, period_or_default, platform_reader
from kotalive.dashboard.city import city_performance, performance_csv
from kotalive.dashboard.handoffs import handoff_matrix, matrix_csv
from kotalive.dashboard.public import kelurahan_rows, rows_csv
from kotalive.dashboard.scorecard import scorecard
from kotalive.dashboard.service_quality import service_quality
from kotalive.dashboard.trends import trend_csv, weekly_trend
from kotalive.regions import codes
from kotalive.regions.models import Region
from kotalive.web.access import refuse, staff_user
from kotalive.web.charts import kelurahan_named, line_chart, report_map


def _heat(matrix: dict[str, Any], highlight: str | None = None) -> dict[str, Any]:
    """The matrix as a grid: rows from, columns to, each cell its transfers and a shade from 0 to 4."""
    pairs = {(p["from_agency"], p["to_agency"]): p for p in matrix["pairs"] if p["transfers"] or p["requests"]}
    agencies = sorted({a for pair in pairs for a in pair})
    top = max((p["transfers"] + p["requests"] for p in pairs.values()), default=0)
    grid = []
    for source in agencies:
        cells = []
        for target in agencies:
            pair = pairs.get((source, target))
            count = (pair["transfers"] + pair["requests"]) if pair else 0
            cells.append(
                {
                    "pair": pair,
                    "count": count,
                    "shade": 0 if not count or not top else 1 + (3 * count) // max(top, 1),
                    "mine": highlight in (source, target),
                }
            )
        grid.append({"agency": source, "cells": cells, "mine": source == highlight})
    return {"agencies": agencies, "grid": grid, "pairs": list(pairs.values())}


FILTERS = ("agency", "service", "category", "kecamatan")


def _trend_series() -> list[tuple[str, str]]:
    return [
        ("applications_submitted", _("Applications submitted")),
        ("applications_closed", _("Applications closed")),
        ("reports_submitted", _("Reports submitted")),
        ("reports_closed", _("Reports closed")),
    ]


def _filters(request: HttpRequest) -> dict[str, str]:
    return {name: str(request.GET[name])[:60] for name in FILTERS if request.GET.get(name)}


def _selects(filters: dict[str, str]) -> list[dict[str, Any]]:
    """The Live Room's filters: agencies, services, complaint categories, the city's kecamatan."""
    options = {
        "agency": [(a.code, agency_name(a)) for a in Agency.objects.filter(active=True).order_by("code")],
        "service": [
            (s.code, s.current.name if s.current else s.code) for s in Service.objects.select_related("current")
        ],
        "category": [(c.code, category_name(c)) for c in Category.objects.filter(active=True)],
        "kecamatan": [
            (r.code, r.name)
            for r in Region.objects.filter(parent_id=settings.KOTALIVE_REGION_CODE, level=codes.KECAMATAN)
        ],
    }
    labels = {"agency": _("Agency"), "service": _("Service"), "category": _("Category"), "kecamatan": _("Kecamatan")}
    return [
        {
            "name": name,
            "label": labels[name],
            "options": [(code, text, filters.get(name) == code) for code, text in options[name]],
        }
        for name in FILTERS
    ]


@login_required
def live_room_dashboard(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not platform_reader(user):
        refuse(page=_("The city dashboard"), roles=READERS)
    start, end = period_or_default(request.GET.get("from"), request.GET.get("to"))
    filters = _filters(request)
    figures = city_performance(start=start, end=end, **filters)
    return _page(request, start, end, figures, None, handoff_matrix(start=start, end=end), filters)


@login_required
def agency_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Http404
    if not (platform_reader(user) or agency_head(user, code)):
        refuse(
            page=_("The dashboard of %(agency)s") % {"agency": agency.code},
            roles=[StaffRole.HEAD, *READERS],
            agency=agency,
        )
    start, end = period_or_default(request.GET.get("from"), request.GET.get("to"))
    own = city_performance(start=start, end=end, agency=code)
    return _page(request, start, end, own, agency, handoff_matrix(start=start, end=end), {})


def _page(
    request: HttpRequest,
    start: dt.date,
    end: dt.date,
    performance: dict[str, Any],
    agency: Agency | None,
    matrix: dict[str, Any],
    filters: dict[str, str],
) -> HttpResponse:
    """The page, or with `format=csv` / `format=handoffs-csv` its figures or its hand-off pairs as CSV (the same
    files as the API's, for a signed-in browser)."""
    wanted = request.GET.get("format")
    own = agency.code if agency else None
    trend = weekly_trend(start=start, end=end, **({"agency": own} if own else filters))
    kelurahan = kelurahan_rows(start=start, end=end, agency=own)
    if wanted in ("csv", "handoffs-csv", "trend-csv", "kelurahan-csv"):
        files = {
            "csv": lambda: performance_csv(performance),
            "handoffs-csv": lambda: matrix_csv(matrix),
            "trend-csv": lambda: trend_csv(trend),
            "kelurahan-csv": lambda: rows_csv(kelurahan, ["kelurahan", "submitted"]),
        }
        response = HttpResponse(files[wanted](), content_type="text/csv; charset=utf-8")
        name = f"{wanted.removesuffix('csv').strip('-') or (own or 'city')}-{start}-{end}"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    whole = city_performance(start=start, end=end) if agency else performance
    city = whole["kinds"] if agency else None
    quality = None if agency or filters else service_quality(start=start, end=end)
    card = scorecard(start=start, end=end, city=whole, quality=quality, matrix=matrix) if quality else None
    if wanted == "json":  # what the page shows, as the API gives it
        body = {
            **performance,
            "city_beside": city,
            "quality": quality,
            "scorecard": card,
            "handoffs": matrix,
            "trend": trend,
            "kelurahan": kelurahan,
        }
        return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), content_type="application/json")
    sections = [(kind, figures, city[kind]["city"] if city else None) for kind, figures in performance["kinds"].items()]
    return render(
        request,
        "web/dashboard.html",
        {
            "start": start,
            "end": end,
            "sections": sections,
            "scorecard": card,
            "quality": quality,
            "selects": [] if agency else _selects(filters),
            "query": urlencode({"from": start.isoformat(), "to": end.isoformat(), **filters}),
            "matrix": _heat(matrix, highlight=agency.code if agency else None),
            "trend": trend,
            "trend_chart": line_chart(trend, _trend_series(), x_key="week"),
            "kelurahan": kelurahan_named(kelurahan),
            "map": report_map({r["kelurahan"]: r["submitted"] for r in kelurahan}),
            "agency": agency,
        },
    )
