//go:build !unix

package source

import "os"

// flock is a no-op where flock(2) does not exist: a checkpoint there is not
// protected from a second process.
func flock(*os.File) error { return nil }
