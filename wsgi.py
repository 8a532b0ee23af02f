"""Production entry point: `gunicorn wsgi:app`."""

from feedback_app import create_app
from feedback_app.heap import freeze_startup_objects

app = create_app()
freeze_startup_objects()  # in each worker, before its first request (feedback_app/heap.py)
