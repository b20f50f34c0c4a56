package functions

import "testing"

// The expectations are Spark's string-functions.sql results (Apache
// Spark, Apache License 2.0) unless marked otherwise.
func TestBinaryFunctions(t *testing.T) {
	run(t, []evalCase{
		{"unhex", vals(S("aabb")), X("\xaa\xbb"), nil},
		{"unhex", vals(S("123")), X("\x01\x23"), nil}, // an odd count starts with a zero nibble
		{"unhex", vals(S("GG")), null, nil},
		{"hex", vals(X("\x01\xff")), S("01FF"), nil},
		{"hex", vals(X("")), S(""), nil},
		{"length", vals(X("\xe6\x97\xa5")), I(3), nil}, // bytes, not characters
		{"to_binary", vals(S("737472696E67")), X("string"), nil},
		{"to_binary", vals(S("abc"), S("Hex")), X("\x0a\xbc"), nil},
		{"to_binary", vals(S("大千世界"), S("utf8")), X("大千世界"), nil},
		{"to_binary", vals(S(" ab c="), S("base64")), X("i\xb7"), nil},
		{"to_binary", vals(S(" ab cd "), S("base64")), X("i\xb7\x1d"), nil},
		{"to_binary", vals(S("  "), S("base64")), X(""), nil},
		{"to_binary", vals(S(" ab cdef= = "), S("base64")), null, ErrInvalidArg}, // '=' '=' apart
		{"to_binary", vals(S("a"), S("base64")), null, ErrInvalidArg},
		{"to_binary", vals(S("GG")), null, ErrInvalidArg},
		{"to_binary", vals(S("abc"), S("invalidFormat")), null, ErrInvalidArg},
		{"to_binary", vals(S("abc"), null), null, nil},
		{"try_to_binary", vals(S("GG")), null, nil},
		{"try_to_binary", vals(S("abc"), S("invalidFormat")), null, nil},
		{"encode", vals(S("abc"), S("utf-8")), X("abc"), nil},
		{"encode", vals(S("hé"), S("UTF-16")), X("\xfe\xff\x00h\x00\xe9"), nil},
		{"encode", vals(S("hé"), S("UTF-16LE")), X("h\x00\xe9\x00"), nil},
		{"encode", vals(S("é"), S("ISO-8859-1")), X("\xe9"), nil},
		{"encode", vals(S("客舍"), S("US-ASCII")), null, ErrInvalidArg}, // MALFORMED_CHARACTER_CODING
		{"encode", vals(S("hello"), S("WINDOWS-1252")), null, ErrInvalidArg},
		{"decode", vals(X("\xfe\xff\x00h\x00\xe9"), S("UTF-16")), S("hé"), nil},
		{"decode", vals(X("\x00\x00\x59\x27"), S("utf-32")), S("大"), nil},
		{"decode", vals(X("\xe8\xa5"), S("US-ASCII")), null, ErrInvalidArg},
		{"decode", vals(X("\x80"), S("utf-8")), null, ErrInvalidArg},
		{"decode", vals(I(2), I(1), S("Southlake"), I(2), S("San Francisco"), S("Non domestic")), S("San Francisco"), nil},
		{"decode", vals(I(6), I(1), S("Southlake"), S("Non domestic")), S("Non domestic"), nil},
		{"decode", vals(I(6), I(1), S("Southlake")), null, nil},
		{"decode", vals(null, I(6), S("Spark"), null, S("SQL")), S("SQL"), nil}, // NULL matches NULL
		{"decode", vals(I(2), I(1), I(10), I(2), F(2.5)), F(2.5), nil},
		{"base64", vals(X("\xff\x00")), S("/wA="), nil},
		{"base64", vals(S("Spark SQL")), S("U3BhcmsgU1FM"), nil},
		{"lpad", vals(X("\xaa"), I(5), X("\x1f\x2e")), X("\x1f\x2e\x1f\x2e\xaa"), nil},
		{"rpad", vals(X("\xaa"), I(6), X("\x1f\x2e")), X("\xaa\x1f\x2e\x1f\x2e\x1f"), nil},
		{"lpad", vals(X("\xaa\xbb"), I(5)), X("\x00\x00\x00\xaa\xbb"), nil},
		{"rpad", vals(X("\xaa\xbb\xcc"), I(2)), X("\xaa\xbb"), nil},
		{"lpad", vals(S("abc"), I(5), X("W")), S("WWabc"), nil}, // text with a BINARY pad is text
		{"rpad", vals(X("W"), I(5), S("abc")), S("Wabca"), nil},
		{"substring", vals(X("\x01\x02\x03"), I(2)), X("\x02\x03"), nil},
		{"substring", vals(X("\x01\x02\x03"), I(-1), I(1)), X("\x03"), nil},
		{"concat", vals(X("A"), X("\xff")), X("A\xff"), nil},
		{"concat", vals(X("A"), S("b")), S("Ab"), nil},
		{"contains", vals(X("Spark SQL"), X("Spark")), B(true), nil},
		{"is_valid_utf8", vals(X("\x80")), B(false), nil},
		{"is_valid_utf8", vals(S("abc")), B(true), nil},
		{"make_valid_utf8", vals(X("a\x80")), S("a\uFFFD"), nil},
		{"validate_utf8", vals(X("\x80")), null, ErrInvalidArg},
		{"try_validate_utf8", vals(X("\x80")), null, nil},
		{"try_validate_utf8", vals(S("abc")), S("abc"), nil},
	})
}
