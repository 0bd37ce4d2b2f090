"""Stop `make test` early, with a clear message, when PostgreSQL, Redis or Chromium is missing."""

from __future__ import annotations

import os
import shutil
import sys
from urllib.parse import urlparse


def main() -> int:
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append(f"DATABASE_URL phải trỏ tới PostgreSQL (đang là «{database_url or 'trống'}»).")
    else:
        import psycopg2

        parsed = urlparse(database_url)
        try:
            psycopg2.connect(
                dbname="postgres",
                user=parsed.username or "postgres",
                password=parsed.password or None,
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 5432,
                connect_timeout=5,
            ).close()
        except psycopg2.OperationalError as error:
            problems.append(f"Không kết nối được PostgreSQL tại {parsed.hostname}:{parsed.port or 5432}: {error}")
    redis_url = os.environ.get("REDIS_URL", "")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except Exception as error:  # any failure here means the same thing to the person running the tests
        problems.append(f"Không kết nối được Redis tại «{redis_url}»: {error}")
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        problems.append("Không tìm thấy Chromium (apt-get install chromium) cho các kiểm thử trình duyệt.")
    if not shutil.which("pdftotext"):
        problems.append("Không tìm thấy pdftotext (apt-get install poppler-utils).")
    for problem in problems:
        print(f"make test: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
