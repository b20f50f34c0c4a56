package connect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/sqlconf"
	"github.com/nectar-dev/nectar/syntax"
)

// ErrUnsupported is wrapped by every refusal of a construct nectar does
// not serve (a relation, an expression, a command, an option): the client
// gets UNSUPPORTED_CONNECT_FEATURE naming it, never a different answer.
var ErrUnsupported = errors.New("not supported by nectar's Spark Connect endpoint")

// ErrInvalidPlan is wrapped when a plan is malformed: a required field is
// missing, a oneof is empty, a value is out of range.
var ErrInvalidPlan = errors.New("invalid plan")

// errInterrupted is the cause of an operation stopped by an Interrupt
// call (spark.interruptAll(), interruptTag, interruptOperation).
var errInterrupted = errors.New("interrupted by the client")

// errStopping is the cause of operations stopped because the server stops.
var errStopping = errors.New("the server is stopping")

// unsupported returns an error naming what is refused.
func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// invalid returns an ErrInvalidPlan error.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidPlan, fmt.Sprintf(format, args...))
}

// sparkError is how pyspark learns what went wrong: a gRPC status whose
// details hold an ErrorInfo with the JVM exception classes it maps to its
// own exception types (pyspark/errors/exceptions/connect.py,
// EXCEPTION_CLASS_MAPPING), Spark's error class and SQLSTATE.
type sparkError struct {
	code       codes.Code
	class      string // JVM exception class
	errorClass string // Spark error class ("" for none)
	sqlState   string
	msg        string
}

func (e sparkError) status() error {
	msg := e.msg
	if e.errorClass != "" {
		msg = "[" + e.errorClass + "] " + msg
	}
	if e.sqlState != "" {
		// After the first line, as Spark writes it; a caret below.
		first, rest, _ := strings.Cut(msg, "\n")
		msg = first + " SQLSTATE: " + e.sqlState
		if rest != "" {
			msg += "\n" + rest
		}
	}
	classes, _ := json.Marshal([]string{e.class})
	md := map[string]string{"classes": string(classes), "messageParameters": "{}"}
	if e.errorClass != "" {
		md["errorClass"] = e.errorClass
	}
	if e.sqlState != "" {
		md["sqlState"] = e.sqlState
	}
	st := status.New(e.code, msg)
	if d, err := st.WithDetails(&errdetails.ErrorInfo{Reason: e.class, Domain: "org.apache.spark", Metadata: md}); err == nil {
		st = d
	}
	return st.Err()
}

// toStatus turns an error of an operation into the status its client
// gets. script is the nectar SQL the operation ran, for the caret of a
// syntax or name error ("" when there was none). ctx is the operation's,
// whose cause says who cancelled it.
func toStatus(ctx context.Context, err error, script string) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if cause := context.Cause(ctx); cause != nil {
			err = cause
		}
	}
	var se *syntax.Error
	var sl syntax.ErrorList
	var ae *analysisError
	e := sparkError{code: codes.Unknown, class: "org.apache.spark.SparkException", msg: err.Error()}
	switch {
	case errors.Is(err, ErrUnsupported), errors.Is(err, sqlconf.ErrRefused):
		e = sparkError{code: codes.Unimplemented, class: "org.apache.spark.sql.AnalysisException",
			errorClass: "UNSUPPORTED_CONNECT_FEATURE", sqlState: "0A000", msg: err.Error()}
	case errors.Is(err, ErrInvalidPlan):
		e = sparkError{code: codes.InvalidArgument, class: "org.apache.spark.sql.connect.common.InvalidPlanInput", msg: err.Error()}
	case errors.Is(err, errInterrupted):
		e = sparkError{code: codes.Canceled, class: "org.apache.spark.SparkException",
			errorClass: "OPERATION_CANCELED", sqlState: "HY008", msg: "Operation has been cancelled: " + err.Error() + "."}
	case errors.Is(err, errStopping):
		e = sparkError{code: codes.Unavailable, class: "org.apache.spark.SparkException", msg: err.Error()}
	case errors.Is(err, context.Canceled):
		e = sparkError{code: codes.Canceled, class: "org.apache.spark.SparkException",
			errorClass: "OPERATION_CANCELED", sqlState: "HY008", msg: "Operation has been cancelled."}
	case errors.Is(err, context.DeadlineExceeded):
		e = sparkError{code: codes.DeadlineExceeded, class: "org.apache.spark.SparkException", msg: "deadline exceeded"}
	case errors.As(err, &ae):
		e = sparkError{code: codes.InvalidArgument, class: "org.apache.spark.sql.AnalysisException", errorClass: ae.class, msg: ae.msg}
	case errors.As(err, &se), errors.As(err, &sl):
		first := se
		if first == nil && len(sl) > 0 {
			first = sl[0]
		}
		class, errorClass, state := classify(first.Msg)
		msg := err.Error()
		if script != "" {
			msg = syntax.Format(script, err)
		}
		if errorClass != "" {
			// The class goes first once, as Spark writes it.
			msg = strings.Replace(msg, "["+errorClass+"] ", "", 1)
		}
		e = sparkError{code: codes.InvalidArgument, class: class, errorClass: errorClass, sqlState: state, msg: msg}
	case errors.Is(err, source.ErrNotAllowed):
		e = sparkError{code: codes.PermissionDenied, class: "org.apache.spark.sql.AnalysisException", msg: err.Error()}
	case errors.Is(err, exec.ErrMemoryLimit):
		e = sparkError{code: codes.ResourceExhausted, class: "org.apache.spark.SparkException", msg: err.Error()}
	}
	return e.status()
}

// classify gives a parse or bind error of nectar's the JVM class and the
// Spark error class pyspark shows for the same mistake
// (common/utils/src/main/resources/error/error-conditions.json): a
// message that names its class ("[FIELD_NOT_FOUND] …") keeps it, syntax
// errors are PARSE_SYNTAX_ERROR, unknown names are Spark's UNRESOLVED_*
// and TABLE_OR_VIEW_NOT_FOUND.
func classify(msg string) (class, errorClass, sqlState string) {
	const analysis = "org.apache.spark.sql.AnalysisException"
	if strings.HasPrefix(msg, "[") {
		if end := strings.IndexByte(msg, ']'); end > 1 && !strings.ContainsAny(msg[1:end], " ,") {
			return analysis, msg[1:end], ""
		}
	}
	switch {
	case strings.HasPrefix(msg, "syntax error"):
		return "org.apache.spark.sql.catalyst.parser.ParseException", "PARSE_SYNTAX_ERROR", "42601"
	case strings.HasPrefix(msg, "unknown column"):
		return analysis, "UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703"
	case strings.HasPrefix(msg, "unknown function"):
		return analysis, "UNRESOLVED_ROUTINE", "42883"
	case strings.HasPrefix(msg, "unknown table"):
		return analysis, "TABLE_OR_VIEW_NOT_FOUND", "42P01"
	}
	return analysis, "", ""
}
