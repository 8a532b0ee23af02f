"""What pages, the live screen, briefs and the workbook read: figures, ideas, item rows."""
