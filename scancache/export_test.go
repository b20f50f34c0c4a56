package scancache

// EntryName is the file of path's entry, for tests that age or damage it.
func (c *Cache) EntryName(path string) string { return c.name(path) }

// SetFileIdentity replaces how a local file's inode and ctime are read,
// for the length of one test.
func SetFileIdentity(f func(string) (uint64, int64)) (restore func()) {
	old := fileIdentity
	fileIdentity = f
	return func() { fileIdentity = old }
}

// FileIdentity is fileIdentity.
func FileIdentity(path string) (uint64, int64) { return fileIdentity(path) }
