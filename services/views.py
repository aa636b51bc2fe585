from django.shortcuts import render

from geo_bco.models import Incident


def web_map(request):
    demo = Incident.objects.filter(source_system="demo").exists()
    note = "Demonstration data: synthetic incidents, not real crimes." if demo else ""
    return render(request, "services/map.html", {"demo_note": note})
