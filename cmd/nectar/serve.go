package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/nectar-dev/nectar/connect"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/graph"
	"github.com/nectar-dev/nectar/server"
	"github.com/nectar-dev/nectar/server/streams"
)

func newServeCmd() *cobra.Command {
	var (
		sf                   sourceFlags
		flightAddr, httpAddr string
		sparkAddr            string
		tlsCert, tlsKey      string
		usersFile            string
		logJSON, logDebug    bool
		experiments          []string
		limits               server.Limits
	)
	c := &cobra.Command{
		Use:   "serve [--flight-sql ADDR] [--http ADDR] [--spark-connect ADDR] [--users FILE --tls-cert CERT --tls-key KEY]",
		Short: "Answer queries over Arrow Flight SQL (ADBC, JDBC, R, Python) and an HTTP API",
		Long: `Answer queries over Arrow Flight SQL and an HTTP API, from nectar.yaml's sources.

Flight SQL (default 127.0.0.1:32010) serves ADBC (Python's adbc_driver_flightsql,
R's adbcflightsql with adbi and dbplyr), the Arrow Flight SQL JDBC driver (DBeaver,
any JDBC tool) and Go's database/sql driver. The HTTP API (default 127.0.0.1:7070):
  POST /v1/query   SQL as the body or JSON {"sql": …}; ?format=json|csv|arrow|parquet|table
  GET  /v1/tables  the sources and views with their columns
  GET  /v1/streams[/NAME[/events]]  the hosted streams' status (events: server-sent)
and the web dashboard at / (query, sources, streams, experiments).
Each query reads the files anew; a view created by CREATE VIEW stays for its user.
Spark Connect (default 127.0.0.1:15002, Spark's own port) lets pyspark's
SparkSession.builder.remote("sc://127.0.0.1:15002") and sparklyr's
method = "spark_connect" run DataFrame code on nectar (docs/SPARK-CONNECT.md); when
a Spark server already holds that port, nectar says so and serves the rest.

The streams in nectar.yaml's streams: section run inside the server, exactly once
across restarts as 'nectar stream' runs them; a memory sink's table is a table of
the catalog (SELECT * FROM data_stream). A stream that fails is reported in its
status and run again with backoff (1s doubling to 5m), unless its query or
checkpoint cannot work: then it stays failed until nectar.yaml is fixed.

Both listen on loopback only, unless TLS (--tls-cert, --tls-key) and authentication
(--users FILE) are both set. The users file holds one "name:bcrypt-hash" per line
('nectar serve hash-password' makes a hash; htpasswd -B's lines work too); clients
then log in with HTTP Basic credentials (Flight SQL hands back a token).
At most --max-queries run at once (a user of the users file gets half of them);
others wait in line up to 30s, then get "busy" (HTTP 503, Flight SQL UNAVAILABLE).
The running queries share one memory budget (--memory-limit bounds each).
SIGINT or SIGTERM cancels the running queries, stops the streams (a batch in
progress is replayed by the next start) and exits. See docs/SERVE.md.`,
		Example: `  nectar serve
  nectar serve --flight-sql 127.0.0.1:32010 --http ''          # Flight SQL only
  nectar serve --flight-sql 0.0.0.0:32010 --http 0.0.0.0:7070 \
    --users users.txt --tls-cert cert.pem --tls-key key.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if sf.badLines != "" {
				return errors.New("--bad-lines is for one run, not for a server: the server logs each query's skipped lines")
			}
			if flightAddr == "" && httpAddr == "" && sparkAddr == "" {
				return errors.New("nothing to serve: give --flight-sql ADDR, --http ADDR, --spark-connect ADDR or several")
			}
			level := slog.LevelInfo
			if logDebug {
				level = slog.LevelDebug
			}
			var handler slog.Handler = slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level})
			if logJSON {
				handler = slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level})
			}
			if limits.QueryTimeout == 0 {
				limits.QueryTimeout = -1 // the flag's 0 is never; Limits' is the default
			}
			cfg := server.Config{Logger: slog.New(handler), Limits: limits}
			if (tlsCert == "") != (tlsKey == "") {
				return errors.New("give --tls-cert and --tls-key together")
			}
			if tlsCert != "" {
				pair, err := tls.LoadX509KeyPair(tlsCert, tlsKey)
				if err != nil {
					return fmt.Errorf("--tls-cert/--tls-key: %w", err)
				}
				cfg.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
			}
			if usersFile != "" {
				users, err := server.LoadUsers(usersFile)
				if err != nil {
					return err
				}
				cfg.Users = users
			}
			// Queries read the project folder, its sources and
			// nectar.yaml's serve.allow, nothing else.
			sf.confine = true
			e, done, err := sf.engine(cmd.Context(), cmd.ErrOrStderr(), nil)
			if err != nil {
				return err
			}
			defer done(nil)
			if sf.cfg.Engine != "" && sf.cfg.Engine != "local" {
				return fmt.Errorf("nectar.yaml's engine: %s: nectar serve runs queries itself; remove engine: to serve", sf.cfg.Engine)
			}
			cfg.Engine, cfg.Project, cfg.Experiments = e.Opts, sf.cfg, experiments
			if g := sf.graph; g != nil {
				if err := serveGraph(cmd.Context(), &cfg, g); err != nil {
					return err
				}
			}
			// The streams are the operator's, declared in nectar.yaml
			// beside the sources: they read without the confinement that
			// keeps clients' queries in the project's places.
			streamOpts := e.Opts
			streamOpts.Stores = e.Opts.Stores.Unconfined()
			host, err := streams.New(streams.Options{Project: sf.cfg, Engine: streamOpts, Log: cfg.Logger,
				Session: func() *engine.Session {
					s := engine.New(streamOpts)
					sf.cfg.Apply(s)
					return s
				}})
			if err != nil {
				return fmt.Errorf("nectar.yaml: streams: %w", err)
			}
			if len(host.Names()) > 0 {
				cfg.Streams = host
			}
			srv, err := server.New(cfg)
			if err != nil {
				return err
			}
			listeners := make([]net.Listener, 2)
			for i, a := range []struct{ flag, addr string }{{"--flight-sql", flightAddr}, {"--http", httpAddr}} {
				if a.addr == "" {
					continue
				}
				ln, err := srv.Listen(a.addr)
				if err != nil {
					for _, l := range listeners {
						if l != nil {
							l.Close()
						}
					}
					return fmt.Errorf("%s: %w%s", a.flag, err, listenAdvice(err))
				}
				listeners[i] = ln
			}
			sc, scLn, err := sparkConnect(cfg, srv, sparkAddr)
			if err != nil && !cmd.Flags().Changed("spark-connect") && errors.Is(err, syscall.EADDRINUSE) {
				// The default port is Spark's: a Spark Connect server
				// running here is no reason not to serve the rest.
				cfg.Logger.Warn("Spark Connect not served: its default address is in use (a Spark server?); give --spark-connect ADDR", "addr", sparkAddr)
				sc, scLn, err = nil, nil, nil
			}
			if err != nil {
				for _, l := range listeners {
					if l != nil {
						l.Close()
					}
				}
				return err
			}
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			host.Start(ctx)
			scErr := make(chan error, 1)
			if sc != nil {
				go func() {
					err := sc.Serve(ctx, scLn)
					cancel()
					scErr <- err
				}()
			} else {
				scErr <- nil
			}
			err = srv.Serve(ctx, listeners[0], listeners[1])
			// The listeners are closed: stop the streams, each as a kill
			// would (a batch in progress is replayed by the next start),
			// and let go of their checkpoints' locks before exiting.
			cancel()
			host.Wait()
			if e := <-scErr; err == nil && e != nil {
				err = fmt.Errorf("--spark-connect: %w", e)
			}
			return err
		},
	}
	sf.add(c)
	f := c.Flags()
	f.StringVar(&flightAddr, "flight-sql", "127.0.0.1:32010", "Arrow Flight SQL address ('' for none)")
	f.StringVar(&httpAddr, "http", "127.0.0.1:7070", "HTTP API address ('' for none)")
	f.StringVar(&sparkAddr, "spark-connect", "127.0.0.1:15002", "Spark Connect address for pyspark and sparklyr ('' for none)")
	f.StringVar(&tlsCert, "tls-cert", "", "TLS certificate (PEM) for both protocols")
	f.StringVar(&tlsKey, "tls-key", "", "TLS private key (PEM) for --tls-cert")
	f.StringVar(&usersFile, "users", "", `users allowed in, one "name:bcrypt-hash" per line (nectar serve hash-password makes the hash)`)
	f.IntVar(&limits.MaxQueries, "max-queries", 0, "queries run at once; the rest wait, or are refused as busy after 30s (default: twice the cores, at least 4)")
	f.DurationVar(&limits.QueryTimeout, "query-timeout", 30*time.Minute, "end a query that runs longer (0: never)")
	f.BoolVar(&logJSON, "log-json", false, "log JSON lines instead of text")
	f.BoolVar(&logDebug, "log-debug", false, "log debug messages too")
	f.StringArrayVar(&experiments, "experiment", nil, "an experiment spec the dashboard reports on, beside those in the project folder and its experiments/ folder (repeatable)")
	c.AddCommand(newHashPasswordCmd())
	return c
}

// sparkConnect makes the Spark Connect endpoint on addr ("" for none),
// with the server's sessions, users, TLS and limits: each request gets a
// fresh engine session over nectar.yaml's sources and waits for one of the
// server's query slots, as Flight SQL's do.
func sparkConnect(cfg server.Config, srv *server.Server, addr string) (*connect.Service, net.Listener, error) {
	if addr == "" {
		return nil, nil, nil
	}
	cc := connect.Config{TLS: cfg.TLS, Logger: cfg.Logger, Admit: srv.Admit, Busy: server.ErrBusy, NewSession: func() *engine.Session {
		e := engine.New(cfg.Engine)
		if cfg.Project != nil {
			cfg.Project.Apply(e)
		}
		if cfg.Tables != nil {
			e.LookupTables(cfg.Tables.Lookup)
		}
		if cfg.Prepare != nil {
			cfg.Prepare(e)
		}
		return e
	}}
	if cfg.Users != nil {
		cc.Users = cfg.Users
	}
	sc, err := connect.New(cc)
	if err != nil {
		return nil, nil, err
	}
	ln, err := sc.Listen(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("--spark-connect: %w%s", err, listenAdvice(err))
	}
	return sc, ln, nil
}

// listenAdvice says how to listen beyond loopback after a refusal.
func listenAdvice(err error) string {
	if strings.Contains(err.Error(), "listens beyond this machine") {
		return " (or give --tls-cert, --tls-key and --users)"
	}
	return ""
}

func newHashPasswordCmd() *cobra.Command {
	var user string
	c := &cobra.Command{
		Use:   "hash-password [--user NAME]",
		Short: "Print a bcrypt hash of a password read from the terminal or standard input, for --users",
		Long: `Print a bcrypt hash of a password for the users file of nectar serve.

The password is read from the terminal (asked twice, not echoed) or, when
standard input is not a terminal, from its first line: never from the command
line, where shell history and ps would keep it. With --user NAME the output is
the users file's line, NAME:hash.`,
		Example: `  nectar serve hash-password --user alice >> users.txt
  printf '%s\n' "$PASSWORD" | nectar serve hash-password`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.ContainsAny(user, ": \t") {
				return errors.New("--user: a name holds no colon or space")
			}
			password, err := readPassword(cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			hash, err := server.HashPassword(password)
			if err != nil {
				return err
			}
			if user != "" {
				hash = user + ":" + hash
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), hash)
			return err
		},
	}
	c.Flags().StringVar(&user, "user", "", "print NAME:hash, a line of the users file")
	return c
}

// readPassword reads a password from the terminal, twice and unechoed,
// or else the first line of in.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(label string) (string, error) {
			fmt.Fprint(prompt, label)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(prompt)
			return string(b), err
		}
		p, err := ask("Password: ")
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		again, err := ask("Again: ")
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if p != again {
			return "", errors.New("the passwords differ")
		}
		return p, nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// serveGraph shows the model graph in every session (its tables and
// graph_walk) and takes OpenLineage events at /api/v1/lineage, as
// Marquez does, so Airflow's provider can post to the server. The
// endpoint has its own token ($NECTAR_LINEAGE_TOKEN, which clients send
// as "Authorization: Bearer …", as openlineage-python's api_key does);
// a server with users and no token does not take events.
func serveGraph(ctx context.Context, cfg *server.Config, g *graphTables) error {
	cfg.Tables = g
	cfg.Prepare = func(e *engine.Session) { e.RegisterTableFunc("graph_walk", g.walk) }
	token := os.Getenv(LineageTokenEnv)
	if cfg.Users != nil && token == "" {
		cfg.Logger.Warn("OpenLineage events are not taken: the server has users; set " + LineageTokenEnv + " to take them at /api/v1/lineage")
		return nil
	}
	st, err := g.open(ctx)
	if err != nil {
		return fmt.Errorf("model graph: %w", err)
	}
	cfg.Handlers = map[string]http.Handler{"/api/v1/lineage": graph.LineageHandler(st, token)}
	return nil
}
