package connect

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
)

// An operation is one ExecutePlan: a producer goroutine runs the plan and
// hands responses to whichever stream is attached. A reattachable
// operation (pyspark's default) outlives its stream: the responses sent
// and not yet released by the client are kept, so that a client whose
// stream broke reattaches (ReattachExecute) and continues after the last
// response it saw, as Spark's ExecuteGrpcResponseSender does.
type operation struct {
	id           string
	sess         *session
	tags         []string
	reattachable bool

	ctx      context.Context
	cancelFn context.CancelCauseFunc
	out      chan *pb.ExecutePlanResponse // closed when the producer ends

	mu       sync.Mutex
	err      error // the producer's error, set before out is closed
	finished bool
	buf      []*pb.ExecutePlanResponse // sent, not released
	attached bool
	timer    *time.Timer
}

// detachedTimeout is how long a reattachable operation whose stream broke
// waits for its client to reattach before it is cancelled and forgotten.
const detachedTimeout = 2 * time.Minute

// cancel stops the operation; it reports whether it was still running.
func (op *operation) cancel(cause error) bool {
	op.mu.Lock()
	running := !op.finished
	op.mu.Unlock()
	op.cancelFn(cause)
	return running
}

// finish records the producer's end.
func (op *operation) finish(err error) {
	op.mu.Lock()
	op.err, op.finished = err, true
	op.mu.Unlock()
	close(op.out)
}

// startOp registers a new operation of sess.
func (sess *session) startOp(parent context.Context, id string, tags []string, reattachable bool) (*operation, error) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if _, ok := sess.ops[id]; ok {
		return nil, sparkError{code: codes.AlreadyExists, class: "org.apache.spark.SparkSQLException",
			errorClass: "INVALID_HANDLE.OPERATION_ALREADY_EXISTS", msg: "operation " + id + " already exists"}.status()
	}
	ctx, cancel := context.WithCancelCause(parent)
	op := &operation{id: id, sess: sess, tags: tags, reattachable: reattachable, ctx: ctx, cancelFn: cancel,
		out: make(chan *pb.ExecutePlanResponse)}
	sess.ops[id] = op
	return op, nil
}

func (sess *session) op(id string) *operation {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.ops[id]
}

// removeOp forgets op and cancels it if it still runs.
func (sess *session) removeOp(op *operation) {
	sess.mu.Lock()
	if sess.ops[op.id] == op {
		delete(sess.ops, op.id)
	}
	sess.mu.Unlock()
	op.cancelFn(errInterrupted)
	op.mu.Lock()
	if op.timer != nil {
		op.timer.Stop()
	}
	op.buf = nil
	op.mu.Unlock()
}

func (sess *session) operations() []*operation {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	ops := make([]*operation, 0, len(sess.ops))
	for _, op := range sess.ops {
		ops = append(ops, op)
	}
	return ops
}

// attach sends op's responses on stream: those kept after the response
// with id after (all kept ones when after is "" or released), then the
// producer's, until it ends. It returns the producer's error, or the
// stream's.
func (op *operation) attach(stream grpc.ServerStreamingServer[pb.ExecutePlanResponse], after string) error {
	op.mu.Lock()
	if op.attached {
		op.mu.Unlock()
		return sparkError{code: codes.FailedPrecondition, class: "org.apache.spark.SparkSQLException",
			errorClass: "INVALID_CURSOR.DISCONNECTED", msg: "operation " + op.id + " is attached to another stream"}.status()
	}
	op.attached = true
	if op.timer != nil {
		op.timer.Stop()
		op.timer = nil
	}
	var replay []*pb.ExecutePlanResponse
	start := 0
	for i, r := range op.buf {
		if r.GetResponseId() == after {
			start = i + 1
		}
	}
	replay = append(replay, op.buf[start:]...)
	op.mu.Unlock()
	defer op.detach()

	for _, r := range replay {
		if err := stream.Send(r); err != nil {
			return err
		}
	}
	for {
		select {
		case r, ok := <-op.out:
			if !ok {
				op.mu.Lock()
				err := op.err
				op.mu.Unlock()
				return err
			}
			if op.reattachable {
				op.mu.Lock()
				op.buf = append(op.buf, r)
				op.mu.Unlock()
			}
			if err := stream.Send(r); err != nil {
				return err
			}
		case <-stream.Context().Done():
			return stream.Context().Err()
		}
	}
}

// detach ends a stream's attachment. A plain operation ends with its
// stream; a reattachable one waits detachedTimeout for its client (which
// releases it once it has read everything).
func (op *operation) detach() {
	op.mu.Lock()
	op.attached = false
	reattachable := op.reattachable
	if reattachable {
		op.timer = time.AfterFunc(detachedTimeout, func() { op.sess.removeOp(op) })
	}
	op.mu.Unlock()
	if !reattachable {
		op.sess.removeOp(op)
	}
}

// release drops the kept responses up to and including the one with id
// until.
func (op *operation) release(until string) {
	op.mu.Lock()
	defer op.mu.Unlock()
	for i, r := range op.buf {
		if r.GetResponseId() == until {
			op.buf = append([]*pb.ExecutePlanResponse(nil), op.buf[i+1:]...)
			return
		}
	}
}
