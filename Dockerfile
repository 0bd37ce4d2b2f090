FROM python:3.11-slim-bookworm

# Pango for WeasyPrint, cairo for cairosvg (the chart of the Word copy), Liberation fonts (Times New Roman metrics) for the official report format,
# gettext for compiled translations, postgresql-client (15 on bookworm, as the postgres:15 server) for backups.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libcairo2 fonts-liberation2 gettext \
    postgresql-client \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hptracker ./hptracker
COPY plans ./plans
COPY agencies ./agencies
COPY reports ./reports
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput \
 && DJANGO_SECRET_KEY=build python manage.py compilemessages --ignore=.venv -v 0
RUN useradd --create-home hptracker && mkdir -p /data/media /data/backups && chown hptracker /data/media /data/backups
USER hptracker
EXPOSE 8000
# Settings (and the removal of gunicorn's Server header) live in hptracker/gunicorn.conf.py.
CMD ["gunicorn", "hptracker.wsgi:application", "-c", "hptracker/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
