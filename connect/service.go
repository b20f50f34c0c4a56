package connect

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/listen"
	"github.com/nectar-dev/nectar/sqlconf"
)

// SparkVersion is the Spark version whose protocol the endpoint speaks
// (its .proto files come from Spark 4.3.0), as spark.version reports it.
const SparkVersion = "4.3.0"

// Authenticator checks a user's password: server.Users does.
type Authenticator interface {
	Check(name, password string) bool
}

// Config is what the endpoint serves and how it is guarded.
type Config struct {
	// NewSession returns a fresh engine session over the project's
	// sources, as `nectar serve` makes one per request; the Spark
	// session's views and in-memory tables are added to it.
	NewSession func() *engine.Session
	// Users, when set, makes every call authenticate: the client's
	// user_id with its bearer token as the password
	// (sc://host:port/;user_id=NAME;token=PASSWORD). nil: no
	// authentication, and only loopback addresses are allowed.
	Users Authenticator
	// TLS encrypts the endpoint (nil: plain).
	TLS *tls.Config
	// Admit, when set, is called before an operation runs a query: it
	// waits for a slot, and returns the context the query runs under and
	// the function that gives the slot back (server.Server.Admit, so that
	// the endpoint shares the server's limits). An error wrapping
	// ErrBusy refuses the operation as UNAVAILABLE, which pyspark retries.
	Admit func(ctx context.Context, user string) (context.Context, func(), error)
	// Busy is the error Admit's refusals wrap (server.ErrBusy).
	Busy error
	// Logger receives one line per operation (nil: slog.Default()).
	// Tokens and passwords never reach it.
	Logger *slog.Logger
}

// Service is the SparkConnectService.
type Service struct {
	pb.UnimplementedSparkConnectServiceServer
	cfg Config
	log *slog.Logger

	stopping context.Context
	stop     context.CancelCauseFunc

	mu       sync.Mutex
	sessions map[sessionKey]*session
}

type sessionKey struct{ user, id string }

// New makes the service; Serve runs it.
func New(cfg Config) (*Service, error) {
	if cfg.NewSession == nil {
		return nil, errors.New("connect: Config.NewSession is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, log: cfg.Logger, sessions: map[sessionKey]*session{}}
	s.stopping, s.stop = context.WithCancelCause(context.Background())
	return s, nil
}

// Listen opens a listener on addr, refusing (wrapping
// listen.ErrNotLoopback) an address beyond this machine unless the
// endpoint has both TLS and users.
func (s *Service) Listen(addr string) (net.Listener, error) {
	if err := listen.Check(addr, listen.Protection{TLS: s.cfg.TLS != nil, Auth: s.cfg.Users != nil}); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// GRPCServer is a gRPC server with the service registered, for Serve and
// for tests that bring their own listener.
func (s *Service) GRPCServer() *grpc.Server {
	opts := []grpc.ServerOption{
		// Plans of createDataFrame carry their rows; Spark's own limit
		// (spark.connect.grpc.maxInboundMessageSize) is 128 MiB.
		grpc.MaxRecvMsgSize(128 << 20),
		grpc.ChainUnaryInterceptor(recoverUnary(s.log)),
		grpc.ChainStreamInterceptor(recoverStream(s.log)),
		// pyspark pings every 60 s (grpc.keepalive_time_ms), even between
		// calls; gRPC's default policy (5 min, only during calls) answers
		// that with GOAWAY "too_many_pings", which cuts a client that
		// waits between queries. Spark's own server accepts the pings.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	}
	if s.cfg.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.cfg.TLS)))
	}
	g := grpc.NewServer(opts...)
	pb.RegisterSparkConnectServiceServer(g, s)
	return g
}

// Serve answers on ln until ctx ends, then interrupts the running
// operations and stops.
func (s *Service) Serve(ctx context.Context, ln net.Listener) error {
	g := s.GRPCServer()
	errs := make(chan error, 1)
	go func() { errs <- g.Serve(ln) }()
	s.log.Info("Spark Connect listening", "addr", ln.Addr().String(), "tls", s.cfg.TLS != nil, "auth", s.cfg.Users != nil)
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	s.stop(errStopping)
	done := make(chan struct{})
	go func() { g.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		g.Stop()
	}
	return err
}

// recoverUnary turns a panic in a call into an Internal error, so that a
// plan nectar mishandles costs its client an error, not the server.
func recoverUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("Spark Connect call panicked", "method", info.FullMethod, "panic", fmt.Sprint(r))
				err = status.Errorf(codes.Internal, "internal error in %s: %v", info.FullMethod, r)
			}
		}()
		return h(ctx, req)
	}
}

func recoverStream(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("Spark Connect call panicked", "method", info.FullMethod, "panic", fmt.Sprint(r))
				err = status.Errorf(codes.Internal, "internal error in %s: %v", info.FullMethod, r)
			}
		}()
		return h(srv, ss)
	}
}

// errUnauthenticated is the one answer to bad credentials; it never
// holds the token.
var errUnauthenticated = sparkError{code: codes.Unauthenticated, class: "org.apache.spark.SparkSecurityException",
	errorClass: "CONNECT.AUTHENTICATION_FAILED", msg: "authentication failed: give user_id=NAME;token=PASSWORD in the sc:// URL, as the server's users file has them"}

// user authenticates a call: its user_id, checked against its bearer
// token when the service has users.
func (s *Service) user(ctx context.Context, uc *pb.UserContext) (string, error) {
	name := uc.GetUserId()
	if s.cfg.Users == nil {
		if name == "" {
			name = "anonymous"
		}
		return name, nil
	}
	var token string
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		for _, v := range md.Get("authorization") {
			if t, ok := strings.CutPrefix(v, "Bearer "); ok {
				token = t
			}
		}
	}
	if name == "" || token == "" || !s.cfg.Users.Check(name, token) {
		return "", errUnauthenticated.status()
	}
	return name, nil
}

// sessionFor finds or makes the session a call names. A client that saw
// another server-side session (this server restarted, or released it)
// is told so, as Spark does, instead of silently losing its views.
func (s *Service) sessionFor(ctx context.Context, uc *pb.UserContext, id string, observed *string) (*session, error) {
	user, err := s.user(ctx, uc)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, sparkError{code: codes.InvalidArgument, class: "org.apache.spark.sql.connect.common.InvalidPlanInput",
			errorClass: "INVALID_HANDLE.FORMAT", msg: "the request has no session_id"}.status()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sessionKey{user, id}
	sess := s.sessions[k]
	if sess == nil {
		s.sweep()
		sess = newSession(user, id)
		s.sessions[k] = sess
	}
	if observed != nil && *observed != "" && *observed != sess.serverSide {
		return nil, sparkError{code: codes.FailedPrecondition, class: "org.apache.spark.SparkSQLException",
			errorClass: "INVALID_HANDLE.SESSION_CHANGED", msg: "the session " + id + " is not the one the client used: the server restarted or the session was released; create a new SparkSession"}.status()
	}
	sess.mu.Lock()
	sess.lastUsed = time.Now()
	sess.mu.Unlock()
	return sess, nil
}

// sessionIdle is how long a session with nothing running is kept.
const sessionIdle = time.Hour

// sweep drops sessions idle for sessionIdle; s.mu is held.
func (s *Service) sweep() {
	now := time.Now()
	for k, sess := range s.sessions {
		sess.mu.Lock()
		idle := now.Sub(sess.lastUsed) > sessionIdle && len(sess.ops) == 0
		sess.mu.Unlock()
		if idle {
			delete(s.sessions, k)
		}
	}
}

// engineSession is a fresh engine session for one request of sess.
func (s *Service) engineSession(sess *session) *engine.Session {
	e := s.cfg.NewSession()
	sess.prepare(e)
	return e
}

// Config implements the Config RPC: get, set and unset a session's
// settings.
func (s *Service) Config(ctx context.Context, req *pb.ConfigRequest) (*pb.ConfigResponse, error) {
	sess, err := s.sessionFor(ctx, req.GetUserContext(), req.GetSessionId(), req.ClientObservedServerSideSessionId)
	if err != nil {
		return nil, err
	}
	resp := &pb.ConfigResponse{SessionId: sess.id, ServerSideSessionId: sess.serverSide}
	pair := func(k string, v *string) { resp.Pairs = append(resp.Pairs, &pb.KeyValue{Key: k, Value: v}) }
	str := func(v string) *string { return &v }
	switch op := req.GetOperation().GetOpType().(type) {
	case *pb.ConfigRequest_Operation_Set:
		for _, kv := range op.Set.GetPairs() {
			if kv.Value == nil {
				sess.state.Reset(kv.GetKey())
				continue
			}
			if err := sess.setConf(kv.GetKey(), kv.GetValue()); err != nil {
				return nil, toStatus(ctx, err, "")
			}
		}
	case *pb.ConfigRequest_Operation_Get:
		for _, k := range op.Get.GetKeys() {
			v, ok := sess.lookupConf(k)
			if !ok {
				return nil, sparkError{code: codes.NotFound, class: "org.apache.spark.SparkNoSuchElementException",
					errorClass: "SQL_CONF_NOT_FOUND", sqlState: "42K0I", msg: fmt.Sprintf("The SQL config %q cannot be found.", k)}.status()
			}
			pair(k, str(v))
		}
	case *pb.ConfigRequest_Operation_GetWithDefault:
		for _, kv := range op.GetWithDefault.GetPairs() {
			if v, ok := sess.lookupConf(kv.GetKey()); ok {
				pair(kv.GetKey(), str(v))
			} else {
				pair(kv.GetKey(), kv.Value)
			}
		}
	case *pb.ConfigRequest_Operation_GetOption:
		for _, k := range op.GetOption.GetKeys() {
			if v, ok := sess.lookupConf(k); ok {
				pair(k, str(v))
			} else {
				pair(k, nil)
			}
		}
	case *pb.ConfigRequest_Operation_GetAll:
		all := sess.state.Settings(op.GetAll.GetPrefix())
		keys := make([]string, 0, len(all))
		for k := range all {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pair(k, str(all[k]))
		}
	case *pb.ConfigRequest_Operation_Unset:
		for _, k := range op.Unset.GetKeys() {
			sess.state.Reset(k)
		}
	case *pb.ConfigRequest_Operation_IsModifiable:
		for _, k := range op.IsModifiable.GetKeys() {
			pair(k, str(fmt.Sprint(sqlconf.Modifiable(k))))
		}
	default:
		return nil, toStatus(ctx, invalid("a config request with no operation"), "")
	}
	return resp, nil
}

// ReleaseSession forgets a session: its views, settings and operations.
func (s *Service) ReleaseSession(ctx context.Context, req *pb.ReleaseSessionRequest) (*pb.ReleaseSessionResponse, error) {
	user, err := s.user(ctx, req.GetUserContext())
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	k := sessionKey{user, req.GetSessionId()}
	sess := s.sessions[k]
	delete(s.sessions, k)
	s.mu.Unlock()
	resp := &pb.ReleaseSessionResponse{SessionId: req.GetSessionId()}
	if sess != nil {
		resp.ServerSideSessionId = sess.serverSide
		for _, op := range sess.operations() {
			op.cancel(errInterrupted)
		}
	}
	return resp, nil
}

// Interrupt stops a session's operations: all, those with a tag, or one.
func (s *Service) Interrupt(ctx context.Context, req *pb.InterruptRequest) (*pb.InterruptResponse, error) {
	sess, err := s.sessionFor(ctx, req.GetUserContext(), req.GetSessionId(), req.ClientObservedServerSideSessionId)
	if err != nil {
		return nil, err
	}
	resp := &pb.InterruptResponse{SessionId: sess.id, ServerSideSessionId: sess.serverSide}
	for _, op := range sess.operations() {
		hit := false
		switch req.GetInterruptType() {
		case pb.InterruptRequest_INTERRUPT_TYPE_ALL:
			hit = true
		case pb.InterruptRequest_INTERRUPT_TYPE_TAG:
			for _, t := range op.tags {
				hit = hit || t == req.GetOperationTag()
			}
		case pb.InterruptRequest_INTERRUPT_TYPE_OPERATION_ID:
			hit = op.id == req.GetOperationId()
		default:
			return nil, toStatus(ctx, invalid("interrupt type %d", req.GetInterruptType()), "")
		}
		if hit && op.cancel(errInterrupted) {
			resp.InterruptedIds = append(resp.InterruptedIds, op.id)
		}
	}
	if len(resp.InterruptedIds) > 0 {
		s.log.Info("operations interrupted", "user", sess.user, "ids", strings.Join(resp.InterruptedIds, ","))
	}
	return resp, nil
}

// AddArtifacts is refused: nectar runs no JVM or Python code the client
// uploads.
func (s *Service) AddArtifacts(stream grpc.ClientStreamingServer[pb.AddArtifactsRequest, pb.AddArtifactsResponse]) error {
	return toStatus(stream.Context(), unsupported("artifacts (jars, Python files, cached local relations): nectar runs no uploaded code"), "")
}

// ArtifactStatus says no artifact is there, which makes pyspark upload
// it, and the upload is refused.
func (s *Service) ArtifactStatus(ctx context.Context, req *pb.ArtifactStatusesRequest) (*pb.ArtifactStatusesResponse, error) {
	sess, err := s.sessionFor(ctx, req.GetUserContext(), req.GetSessionId(), req.ClientObservedServerSideSessionId)
	if err != nil {
		return nil, err
	}
	resp := &pb.ArtifactStatusesResponse{SessionId: sess.id, ServerSideSessionId: sess.serverSide, Statuses: map[string]*pb.ArtifactStatusesResponse_ArtifactStatus{}}
	for _, n := range req.GetNames() {
		resp.Statuses[n] = &pb.ArtifactStatusesResponse_ArtifactStatus{Exists: false}
	}
	return resp, nil
}
