package oktasim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// StartTLS is Start over HTTPS with the certificate and key in the given
// PEM files. It returns the org URL, e.g. "https://127.0.0.1:41234"
// (Server.URL keeps reporting the http:// form of the same address).
func (s *Server) StartTLS(addr, certFile, keyFile string) (string, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return "", fmt.Errorf("load TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", addr, err)
	}
	tlsLn := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.httpSrv, s.listener, s.cancel = srv, ln, cancel
	s.mu.Unlock()
	url := "https://" + ln.Addr().String()
	s.bg.Go(func() {
		if err := srv.Serve(tlsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener closed under us; Close reports nothing more useful
		}
	})
	s.logs.start(ctx, &s.bg, url)
	return url, nil
}
