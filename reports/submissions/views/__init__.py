"""Pages of the submission area, one module per part of the work (urls.py names each view by its module). Thin:
each asks reports.permissions who may come in (`reports.submissions.access`: 404 or 403), calls one service, and
turns a WorkflowError into a message."""
