"""Domain operations. Each takes a Session and the acting editor, flushes, records an
audit event in the same transaction, and never commits or touches a web request."""
