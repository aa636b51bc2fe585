from django.db import connection
from django.shortcuts import render


def web_map(request):
    with connection.cursor() as cur:  # a public projection, like everything an anonymous page reads
        cur.execute("SELECT EXISTS (SELECT 1 FROM public_sources WHERE source_system = 'demo')")
        demo = cur.fetchone()[0]
    note = "Demonstration data: synthetic incidents, not real crimes." if demo else ""
    return render(request, "services/map.html", {"demo_note": note})
