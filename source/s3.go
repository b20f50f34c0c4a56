package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// ErrBadS3URL means a path has the s3:// or s3a:// scheme but no bucket.
var ErrBadS3URL = errors.New("malformed S3 URL")

// Defaults of S3Options.
const (
	DefaultS3PartSize    = 8 << 20
	DefaultS3Concurrency = 4
	DefaultS3MaxAttempts = 10
	DefaultS3MaxBackoff  = 20 * time.Second
	// defaultRegion is what the AWS CLI falls back to for a custom
	// endpoint; S3-compatible stores (MinIO, Ceph, R2) accept it.
	defaultRegion = "us-east-1"
	// listConcurrency bounds the ListObjectsV2 calls in flight while one
	// Walk lists sibling folders (day folders, source folders).
	listConcurrency = 8
	// minUploadPart is S3's smallest allowed multipart part except the last.
	minUploadPart = 5 << 20
)

// S3Options configure an S3 store. Every zero field means "as the AWS tools
// decide": credentials, region and endpoint come from the environment, the
// shared config and credentials files (AWS_PROFILE, SSO, web identity) and
// instance or container roles, via config.LoadDefaultConfig.
type S3Options struct {
	Profile string // shared config profile; "" = AWS_PROFILE or "default"
	// Endpoint of an S3-compatible store ("http://127.0.0.1:9000"); "" =
	// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or the profile's endpoint_url.
	Endpoint string
	Region   string // "" = AWS_REGION or the profile; us-east-1 if none
	// PathStyle forces bucket-in-path addressing. It is turned on anyway
	// whenever a custom endpoint is in force, since most S3-compatible
	// stores have no per-bucket DNS names.
	PathStyle bool

	PartSize    int64         // bytes per ranged GET and per uploaded part (default 8 MiB)
	Concurrency int           // ranged GETs (and part uploads) in flight per object (default 4)
	MaxAttempts int           // attempts per request, and resumes per cut body (default 10)
	MaxBackoff  time.Duration // cap of the jittered exponential backoff (default 20s)

	// Credentials overrides the default chain (tests use static keys).
	Credentials aws.CredentialsProvider
	// HTTPClient overrides the transport; nil uses the SDK's client with
	// transparent decompression switched off.
	HTTPClient aws.HTTPClient
}

func (o *S3Options) normalize() {
	if o.PartSize <= 0 {
		o.PartSize = DefaultS3PartSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultS3Concurrency
	}
	if o.MaxAttempts <= 0 {
		// The variable the AWS tools read; the SDK's own reading of it is
		// overridden by the retryer NewS3 installs.
		if n, err := strconv.Atoi(os.Getenv("AWS_MAX_ATTEMPTS")); err == nil && n > 0 {
			o.MaxAttempts = n
		} else {
			o.MaxAttempts = DefaultS3MaxAttempts
		}
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultS3MaxBackoff
	}
}

// S3 is the Store for s3:// and s3a:// URLs. Paths keep the scheme the user
// wrote, so listing s3a://b/x yields s3a://b/x/... files.
type S3 struct {
	client *s3.Client
	opts   S3Options
	// regionAuto is set when nothing named a region: each bucket's region
	// is then looked up once, since a request to the wrong region fails
	// with a 301 PermanentRedirect.
	regionAuto bool
	buckets    sync.Map // bucket name → *s3.Client for its region
}

var _ Store = (*S3)(nil)

// NewS3 builds an S3 store, resolving credentials and region the way the
// AWS CLI does. Credentials are only fetched on the first request.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	o.normalize()
	httpClient := o.HTTPClient
	if httpClient == nil {
		httpClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			// The S3 client already sends "Accept-Encoding: identity", which
			// keeps Go from gunzipping objects stored with
			// Content-Encoding: gzip; this makes sure no other path does,
			// since decode recognises gzip by its bytes.
			tr.DisableCompression = true
			tr.MaxIdleConnsPerHost = 64
		})
	}
	maxAttempts, maxBackoff := o.MaxAttempts, o.MaxBackoff
	lo := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		// The SDK's own WARN lines (a checksum it could not check, a
		// credential source that failed before the next worked) reach
		// users as noise; what matters comes back as the error.
		config.WithLogger(logging.Nop{}),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = maxAttempts
				so.MaxBackoff = maxBackoff
				// The default retry quota stops retrying after a burst of
				// throttling, which would fail a long scan that a few more
				// backoffs would have carried through.
				so.RateLimiter = ratelimit.None
				// A refused connection or an unknown host fails at once:
				// retrying them only makes the user wait.
				so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
					if unreachable(err) {
						return aws.FalseTernary
					}
					return aws.UnknownTernary
				})}, so.Retryables...)
			})
		}),
	}
	if o.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		lo = append(lo, config.WithRegion(o.Region))
	}
	if o.Credentials != nil {
		lo = append(lo, config.WithCredentialsProvider(o.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	regionAuto := cfg.Region == ""
	if regionAuto {
		cfg.Region = defaultRegion
	}
	build := func(pathStyle bool) *s3.Client {
		return s3.NewFromConfig(cfg, func(so *s3.Options) {
			if o.Endpoint != "" {
				so.BaseEndpoint = aws.String(o.Endpoint)
			}
			so.UsePathStyle = pathStyle
			// Ranged and resumed GETs never carry a whole-object
			// checksum, and gzip's own CRC already guards the bytes.
			so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
	}
	client := build(o.PathStyle)
	// BaseEndpoint is only known after the client resolved env vars and
	// config files, so check it there rather than re-implement the lookup.
	if co := client.Options(); co.BaseEndpoint != nil && !co.UsePathStyle {
		client = build(true)
	}
	regionAuto = regionAuto && client.Options().BaseEndpoint == nil
	return &S3{client: client, opts: o, regionAuto: regionAuto}, nil
}

// bucketClient returns the client for bucket's region. A failed lookup
// falls back to the default client, whose own request then reports the
// real problem (no such bucket, access denied).
func (s *S3) bucketClient(ctx context.Context, bucket string) *s3.Client {
	if !s.regionAuto {
		return s.client
	}
	if c, ok := s.buckets.Load(bucket); ok {
		return c.(*s3.Client)
	}
	region := ""
	// S3 names a bucket's region in X-Amz-Bucket-Region on any HeadBucket
	// answer, even a 301 or 403, which is how the AWS CLI finds it too.
	out, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket})
	if err == nil {
		region = aws.ToString(out.BucketRegion)
	} else {
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.Response != nil {
			region = re.Response.Header.Get("X-Amz-Bucket-Region")
		}
	}
	c := s.client
	if region != "" && region != s.client.Options().Region {
		c = s3.New(s.client.Options(), func(o *s3.Options) { o.Region = region })
	}
	if err == nil || region != "" {
		s.buckets.Store(bucket, c)
	}
	return c
}

// Client exposes the SDK client, for callers that need an operation the
// Store does not offer.
func (s *S3) Client() *s3.Client { return s.client }

// Endpoint reports the custom endpoint in use, "" for AWS itself. It never
// includes credentials, so it is safe for EXPLAIN and progress lines.
func (s *S3) Endpoint() string {
	if ep := s.client.Options().BaseEndpoint; ep != nil {
		return *ep
	}
	return ""
}

// s3URL is a parsed s3:// or s3a:// path.
type s3URL struct {
	bucket, key string
}

func parseS3(path string) (s3URL, error) {
	i := strings.Index(path, "://")
	if i < 0 {
		return s3URL{}, fmt.Errorf("%s: %w", path, ErrBadS3URL)
	}
	scheme := strings.ToLower(path[:i])
	if scheme != "s3" && scheme != "s3a" {
		return s3URL{}, fmt.Errorf("%s: scheme %q: %w", path, scheme, ErrBadS3URL)
	}
	rest := path[i+3:]
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return s3URL{}, fmt.Errorf("%s: no bucket: %w", path, ErrBadS3URL)
	}
	return s3URL{bucket: bucket, key: key}, nil
}

// String names the object in the canonical s3:// form used in errors.
func (u s3URL) String() string { return "s3://" + u.bucket + "/" + u.key }

// dirPrefix is the key prefix that lists the folder u names.
func (u s3URL) dirPrefix() string {
	if u.key == "" || strings.HasSuffix(u.key, "/") {
		return u.key
	}
	return u.key + "/"
}

// errorCode returns the S3 error code ("NoSuchKey", "SlowDown") or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// Stat implements Store. A key that is both an object and a folder prefix
// counts as the object, as with aws s3 ls.
func (s *S3) Stat(ctx context.Context, path string) (File, bool, error) {
	u, err := parseS3(path)
	if err != nil {
		return File{}, false, err
	}
	if u.key != "" && !strings.HasSuffix(u.key, "/") {
		// A listing, not HeadObject: HEAD's Last-Modified has whole
		// seconds and a listing's milliseconds, and a file must look the
		// same however it was found, or a stream that checks whether a
		// file changed since it was listed sees every file change. The
		// key sorts before any longer key it prefixes, so it comes first.
		out, err := s.bucketClient(ctx, u.bucket).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &u.bucket, Prefix: &u.key, MaxKeys: aws.Int32(1)})
		switch {
		case err == nil && len(out.Contents) > 0 && aws.ToString(out.Contents[0].Key) == u.key:
			o := out.Contents[0]
			return File{Path: path, Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified), ETag: aws.ToString(o.ETag)}, false, nil
		case httpStatus(err) == http.StatusForbidden:
			// Credentials that may read an object but not list its bucket.
			head, err := s.bucketClient(ctx, u.bucket).HeadObject(ctx, &s3.HeadObjectInput{Bucket: &u.bucket, Key: &u.key})
			if err != nil {
				return File{}, false, fmt.Errorf("stat %s: %w", u, explainS3(err))
			}
			return File{Path: path, Size: aws.ToInt64(head.ContentLength), ModTime: aws.ToTime(head.LastModified), ETag: aws.ToString(head.ETag)}, false, nil
		case err != nil:
			return File{}, false, fmt.Errorf("stat %s: %w", u, explainS3(err))
		}
	}
	prefix := u.dirPrefix()
	out, err := s.bucketClient(ctx, u.bucket).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &u.bucket, Prefix: &prefix, MaxKeys: aws.Int32(1)})
	if err != nil {
		return File{}, false, fmt.Errorf("stat %s: %w", u, explainS3(err))
	}
	if len(out.Contents) == 0 && len(out.CommonPrefixes) == 0 && u.key != "" {
		return File{}, false, fmt.Errorf("stat %s: %w", u, fs.ErrNotExist)
	}
	return File{}, true, nil
}

// listing is one folder level: its files and subfolders.
type listing struct {
	files []File
	dirs  []string
	err   error
}

// Walk implements Store. It lists one folder level per ListObjectsV2 call
// with Delimiter "/", so descend prunes whole subtrees (a glob naming one day
// folder lists only that folder), and lists sibling folders concurrently.
// fn and descend run on the calling goroutine only.
func (s *S3) Walk(ctx context.Context, dir string, descend func(string) bool, fn func(File) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan listing)
	pending := []string{dir}
	inflight := 0
	var firstErr error
	for (len(pending) > 0 && firstErr == nil) || inflight > 0 {
		for firstErr == nil && len(pending) > 0 && inflight < listConcurrency {
			d := pending[0]
			pending = pending[1:]
			inflight++
			go func() { results <- s.listLevel(ctx, d) }()
		}
		r := <-results
		inflight--
		if firstErr != nil {
			continue // draining after a failure
		}
		if r.err != nil {
			firstErr = r.err
			cancel()
			continue
		}
		for _, f := range r.files {
			if err := fn(f); err != nil {
				firstErr = err
				cancel()
				break
			}
		}
		if firstErr != nil {
			continue
		}
		for _, d := range r.dirs {
			if descend(d) {
				pending = append(pending, d)
			}
		}
	}
	return firstErr
}

func (s *S3) listLevel(ctx context.Context, dir string) listing {
	u, err := parseS3(dir)
	if err != nil {
		return listing{err: err}
	}
	prefix := u.dirPrefix()
	var res listing
	p := s3.NewListObjectsV2Paginator(s.bucketClient(ctx, u.bucket), &s3.ListObjectsV2Input{
		Bucket: &u.bucket, Prefix: &prefix, Delimiter: aws.String("/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return listing{err: fmt.Errorf("list s3://%s/%s: %w", u.bucket, prefix, explainS3(err))}
		}
		for _, o := range page.Contents {
			name := strings.TrimPrefix(aws.ToString(o.Key), prefix)
			if name == "" || strings.HasSuffix(name, "/") {
				continue // folder marker objects made by consoles
			}
			res.files = append(res.files, File{
				Path: joinPath(dir, name), Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified), ETag: aws.ToString(o.ETag),
			})
		}
		for _, cp := range page.CommonPrefixes {
			name := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), prefix), "/")
			if name == "" {
				continue // "a//b": an empty folder name cannot be globbed
			}
			res.dirs = append(res.dirs, joinPath(dir, name))
		}
	}
	return res
}

// Open implements Store: the returned reader fetches the object in parallel
// ranges and resumes cut bodies; see objectReader.
func (s *S3) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	u, err := parseS3(path)
	if err != nil {
		return nil, err
	}
	return s.openObject(ctx, u)
}
