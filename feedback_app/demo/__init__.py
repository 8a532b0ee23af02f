"""The demonstration tour: realistic stops, professionals and what they say (`flask demo`)."""
