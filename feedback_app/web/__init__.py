"""What every HTTP response goes through: security headers, rate limits, request logs, error
pages, health probes and the versioned, compressed static assets."""
