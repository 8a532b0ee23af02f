"""The tour itself: stops, themes and the reference data the forms and the API present."""
