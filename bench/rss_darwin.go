package bench

import "syscall"

// maxRSSBytes returns Maxrss, which macOS reports in bytes (getrusage(2)).
func maxRSSBytes(ru *syscall.Rusage) int64 { return ru.Maxrss }
