package observe

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// Defaults of ServerConfig.
const (
	// DefaultListen is runner schedule's address, DefaultWorkerListen
	// runner worker's: a scheduler and a worker on one host each get their
	// own port without flags.
	DefaultListen        = "127.0.0.1:9464"
	DefaultWorkerListen  = "127.0.0.1:9465"
	DefaultHealthTimeout = 2 * time.Second
)

// ServerConfig configures a Server.
type ServerConfig struct {
	// Listen is the TCP address served. Default DefaultListen
	// (127.0.0.1:9464, Prometheus exporters' port range); ":0" picks a
	// free port (Server.Addr says which).
	Listen string
	// Metrics are served on /metrics. Required.
	Metrics *Metrics
	// Health answers /healthz: nil is 200 "ok", an error 503 with its
	// text. Required.
	Health func(ctx context.Context) error
	// HealthTimeout bounds one Health call; past it /healthz answers 503.
	// Default DefaultHealthTimeout (2s).
	HealthTimeout time.Duration
	Log           zerolog.Logger
}

// Server serves /healthz and /metrics.
type Server struct {
	cfg ServerConfig
	ln  net.Listener
	srv *http.Server
}

// NewServer listens on cfg.Listen; the error names the address when it
// is taken.
func NewServer(cfg ServerConfig) (*Server, error) {
	cfg.Listen = cmp.Or(cfg.Listen, DefaultListen)
	cfg.HealthTimeout = cmp.Or(cfg.HealthTimeout, DefaultHealthTimeout)
	if cfg.Metrics == nil || cfg.Health == nil {
		return nil, errors.New("observe: server needs metrics and a health check")
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("observe: listen on %s: %w", cfg.Listen, err)
	}
	s := &Server{cfg: cfg, ln: ln}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Metrics.Registry, promhttp.HandlerOpts{Registry: cfg.Metrics.Registry}))
	mux.HandleFunc("GET /healthz", s.healthz)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	return s, nil
}

// Addr is the address served.
func (s *Server) Addr() string { return s.ln.Addr().String() }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.HealthTimeout)
	defer cancel()
	err := s.cfg.Health(ctx)
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("health check: no answer within %s", s.cfg.HealthTimeout)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "unhealthy: %v\n", err)
		return
	}
	fmt.Fprintln(w, "ok")
}

// Serve serves until ctx ends, then shuts the server down (a second at
// most for requests in flight).
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	s.cfg.Log.Info().Str("component", "observe").Str("listen", s.Addr()).Msg("serving /healthz and /metrics")
	select {
	case err := <-errc:
		return fmt.Errorf("observe: serve %s: %w", s.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		s.srv.Close()
	}
	return nil
}
