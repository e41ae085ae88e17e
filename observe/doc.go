// Package observe is what runner schedule and runner worker show their
// operators (DESIGN §10): Prometheus metrics on a registry of their own
// (Metrics), a store wrapper that feeds them from the rows jobs write
// (Store), and the HTTP server of /healthz and /metrics (Server).
package observe
