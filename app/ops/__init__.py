"""Operations: health and readiness, Prometheus metrics, security headers, log masking."""
