package source

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// The S3 failures users meet first, each with what to do. The SDK's own
// text ("https response error StatusCode: 403 … api error Forbidden",
// whatever the scheme, or the whole credential chain's story) stays
// reachable through errors.Unwrap.
var (
	ErrAccessDenied  = errors.New("access denied")
	ErrNoSuchBucket  = errors.New("no such bucket")
	ErrNoCredentials = errors.New("no AWS credentials found")
	ErrUnreachable   = errors.New("cannot reach the S3 endpoint")
)

// s3Error is an S3 failure explained: Error gives the explanation and the
// code S3 answered, Unwrap the SDK's error and the kind.
type s3Error struct {
	kind error // one of the Err… above, or fs.ErrNotExist
	hint string
	err  error
}

func (e *s3Error) Error() string {
	what := e.kind.Error()
	if code := errorCode(e.err); code != "" {
		what += " (S3 said " + code
		if st := httpStatus(e.err); st != 0 {
			what += fmt.Sprintf(", HTTP %d", st)
		}
		what += ")"
	} else if e.kind == ErrUnreachable {
		what += ": " + lastCause(e.err)
	}
	if e.hint != "" {
		what += "; " + e.hint
	}
	return what
}

func (e *s3Error) Unwrap() []error { return []error{e.kind, e.err} }

// explainS3 classifies an S3 request's error; others pass unchanged.
func explainS3(err error) error {
	if err == nil {
		return nil
	}
	var already *s3Error
	if errors.As(err, &already) {
		return err
	}
	switch code := errorCode(err); {
	case code == "NoSuchKey" || code == "NotFound":
		return fmt.Errorf("%w: %w", fs.ErrNotExist, err)
	case code == "NoSuchBucket":
		return &s3Error{kind: ErrNoSuchBucket, hint: "check the bucket's name, and the endpoint for an S3-compatible store (--endpoint, AWS_ENDPOINT_URL, nectar.yaml's s3.endpoint)", err: err}
	case code == "AccessDenied" || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "Forbidden" || httpStatus(err) == http.StatusForbidden:
		return &s3Error{kind: ErrAccessDenied, hint: "check the access key and secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the profile (--profile, AWS_PROFILE), and that they may read this bucket", err: err}
	case noCredentials(err):
		return &s3Error{kind: ErrNoCredentials, hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile with --profile or AWS_PROFILE (nectar looks where the AWS CLI does: the environment, ~/.aws/credentials and ~/.aws/config, SSO, and the instance's role)", err: err}
	case unreachable(err):
		return &s3Error{kind: ErrUnreachable, hint: "check the endpoint (--endpoint, AWS_ENDPOINT_URL, nectar.yaml's s3.endpoint) and that the store is running", err: err}
	}
	return err
}

func noCredentials(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "no EC2 IMDS role found") || strings.Contains(msg, "anonymous credentials")
}

// unreachable reports a connection that could not be made at all: no
// server at the address, or a name that does not resolve. Retrying those
// only makes the user wait (13 s with the default attempts).
func unreachable(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

// lastCause is the innermost message of err's chain: "dial tcp
// 127.0.0.1:1: connect: connection refused", not the SDK's account of
// every layer.
func lastCause(err error) string {
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Error()
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Error()
	}
	return err.Error()
}
