"""The synthesis workbook: plan, build in the request or as a background job, store and serve."""
