"""Digital signatures (ký số) of the documents the portal issues: empty signature fields at the decree's places,
signing with a body's own certificate, verifying signed PDFs and keeping the official signed copy."""
