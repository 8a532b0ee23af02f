"""Paper and spreadsheet intake: template, safe reading of uploads, preview, storing once."""
