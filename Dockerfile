FROM python:3.11-slim-bookworm

# Pango for WeasyPrint, Liberation fonts (Times New Roman metrics) for the official report format,
# gettext for compiled translations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2 gettext \
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
RUN useradd --create-home hptracker && mkdir -p /data/media && chown hptracker /data/media
USER hptracker
EXPOSE 8000
CMD ["gunicorn", "hptracker.wsgi:application", "--bind", "0.0.0.0:8000"]
