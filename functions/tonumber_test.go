package functions

import "testing"

// The to_number cases of Spark's string-functions.sql (Apache Spark,
// Apache License 2.0), and text that does not match its format.
func TestToNumber(t *testing.T) {
	run(t, []evalCase{
		{"to_number", vals(S("454"), S("000")), F(454), nil},
		{"to_number", vals(S("454.2"), S("000.0")), F(454.2), nil},
		{"to_number", vals(S("12,454"), S("00,000")), F(12454), nil},
		{"to_number", vals(S("$78.12"), S("$00.00")), F(78.12), nil},
		{"to_number", vals(S("+454"), S("S000")), F(454), nil},
		{"to_number", vals(S("-454"), S("S000")), F(-454), nil},
		{"to_number", vals(S("12,454.8-"), S("00,000.9MI")), F(-12454.8), nil},
		{"to_number", vals(S("00,454.8-"), S("00,000.9MI")), F(-454.8), nil},
		{"to_number", vals(S("<00,454.8>"), S("00,000.9PR")), F(-454.8), nil},
		{"to_number", vals(S("45"), S("999")), F(45), nil}, // fewer digits than the format
		{"to_number", vals(S("4540"), S("000")), null, ErrInvalidArg},
		{"to_number", vals(S("1,2"), S("000")), null, ErrInvalidArg},
		{"to_number", vals(S("4.55"), S("0.0")), null, ErrInvalidArg},
		{"to_number", vals(S("78.12"), S("$00.00")), null, ErrInvalidArg},
		{"to_number", vals(S("x"), S("000")), null, ErrInvalidArg},
		{"to_number", vals(S("1"), S("0x0")), null, ErrInvalidArg}, // not a format
		{"try_to_number", vals(S("4540"), S("000")), null, nil},
		{"to_char", vals(D("2023-08-18"), S("yyyy-MM-dd")), S("2023-08-18"), nil},
		{"to_varchar", vals(X("\x0a\xff"), S("hex")), S("0AFF"), nil},
		{"to_char", vals(X("\x0a\xff"), S("base64")), S("Cv8="), nil},
		{"to_char", vals(X("a"), S("octal")), null, ErrInvalidArg},
	})
}
