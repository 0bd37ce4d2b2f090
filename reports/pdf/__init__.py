"""PDF documents in the Nghị định 30/2020 format: dates, numbering, the context of a report, and rendering."""
