package scancache

// EntryName is the file of path's entry, for tests that age or damage it.
func (c *Cache) EntryName(path string) string { return c.name(path) }
