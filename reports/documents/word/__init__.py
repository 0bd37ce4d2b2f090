"""Editable Word copies of the documents (builders.py, with python-docx). The content type lives here so that
serving a stored copy does not load python-docx: the builders are imported where a copy is built."""

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
