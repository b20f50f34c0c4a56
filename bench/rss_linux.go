package bench

import "syscall"

// maxRSSBytes converts Maxrss, which Linux reports in KiB (getrusage(2)).
func maxRSSBytes(ru *syscall.Rusage) int64 { return ru.Maxrss * 1024 }
