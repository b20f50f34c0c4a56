package functions

import (
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

// Expectations marked "doc" are the examples of Spark's SQL function
// reference (https://spark.apache.org/docs/latest/api/sql/index.html).
func TestStringFunctions(t *testing.T) {
	run(t, []evalCase{
		{"lower", vals(S("SparkSQL")), S("sparksql"), nil},
		{"lcase", vals(S("ÄÖÜ")), S("äöü"), nil},
		{"upper", vals(S("SparkSql")), S("SPARKSQL"), nil},
		{"upper", vals(I(12)), S("12"), nil}, // implicit cast to string
		{"upper", vals(null), null, nil},
		{"length", vals(S("Spark SQL ")), I(10), nil}, // doc
		{"length", vals(S("日本語")), I(3), nil},         // characters, not bytes
		{"char_length", vals(S("")), I(0), nil},
		{"character_length", vals(S("🎉x")), I(2), nil},
		{"octet_length", vals(S("日本")), I(6), nil},
		{"trim", vals(S("    SparkSQL   ")), S("SparkSQL"), nil}, // doc
		{"trim", vals(S("\tx\t")), S("\tx\t"), nil},              // only spaces
		{"ltrim", vals(S("  x  ")), S("x  "), nil},
		{"rtrim", vals(S("  x  ")), S("  x"), nil},
		{"btrim", vals(S("SSparkSQLS"), S("SL")), S("parkSQ"), nil}, // doc
		{"lpad", vals(S("hi"), I(5), S("??")), S("???hi"), nil},     // doc
		{"lpad", vals(S("hi"), I(1), S("??")), S("h"), nil},         // doc
		{"lpad", vals(S("hi"), I(5)), S("   hi"), nil},              // doc
		{"lpad", vals(S("hi"), I(-1)), S(""), nil},
		{"lpad", vals(S("hi"), I(5), S("")), S("hi"), nil},
		{"lpad", vals(S("日本"), I(4), S("語")), S("語語日本"), nil},
		{"lpad", vals(S("hi"), S("4"), S("x")), S("xxhi"), nil},
		{"lpad", vals(S("hi"), S("four"), S("x")), null, nil},
		{"rpad", vals(S("hi"), I(5), S("??")), S("hi???"), nil}, // doc
		{"rpad", vals(S("hi"), I(1), S("??")), S("h"), nil},     // doc
		{"rpad", vals(S("hi"), I(3)), S("hi "), nil},
		{"lpad", vals(S("x"), I(1<<40)), null, ErrInvalidArg},
		{"substring", vals(S("Spark SQL"), I(5)), S("k SQL"), nil},   // doc
		{"substring", vals(S("Spark SQL"), I(-3)), S("SQL"), nil},    // doc
		{"substring", vals(S("Spark SQL"), I(5), I(1)), S("k"), nil}, // doc
		{"substr", vals(S("Spark SQL"), I(0), I(2)), S("Sp"), nil},   // 0 acts as 1
		{"substr", vals(S("abc"), I(-5), I(3)), S("a"), nil},         // window clipped before the start
		{"substr", vals(S("abc"), I(10)), S(""), nil},
		{"substr", vals(S("abc"), I(2), I(-1)), S(""), nil},
		{"substr", vals(S("日本語テキスト"), I(2), I(3)), S("本語テ"), nil},
		{"substr", vals(S("abc"), F(2.9)), S("bc"), nil},
		{"substr", vals(S("abc"), I(-9223372036854775808), I(9223372036854775807)), S("abc"), nil},
		{"left", vals(S("Spark SQL"), I(3)), S("Spa"), nil}, // doc
		{"left", vals(S("Spark SQL"), I(-3)), S(""), nil},
		{"right", vals(S("Spark SQL"), I(3)), S("SQL"), nil}, // doc
		{"right", vals(S("ab"), I(5)), S("ab"), nil},
		{"right", vals(S("ab"), I(0)), S(""), nil},
		{"concat", vals(S("Spark"), S("SQL")), S("SparkSQL"), nil}, // doc
		{"concat", vals(S("a"), null), null, nil},
		{"concat", vals(), S(""), nil},
		{"concat", vals(S("n="), I(1), S(", "), B(true)), S("n=1, true"), nil},
		{"concat_ws", vals(S(" "), S("Spark"), S("SQL")), S("Spark SQL"), nil}, // doc
		{"concat_ws", vals(S(","), S("a"), null, S("b")), S("a,b"), nil},
		{"concat_ws", vals(S(","), null, null), S(""), nil},
		{"concat_ws", vals(null, S("a")), null, nil},
		{"concat_ws", vals(S("-")), S(""), nil},
		{"replace", vals(S("ABCabc"), S("abc"), S("DEF")), S("ABCDEF"), nil}, // doc
		{"replace", vals(S("aXbX"), S("X")), S("ab"), nil},
		{"replace", vals(S("abc"), S(""), S("x")), S("abc"), nil},
		{"split_part", vals(S("11.12.13"), S("."), I(3)), S("13"), nil}, // doc
		{"split_part", vals(S("11.12.13"), S("."), I(-1)), S("13"), nil},
		{"split_part", vals(S("11.12.13"), S("."), I(4)), S(""), nil},
		{"split_part", vals(S("11.12.13"), S("."), I(-4)), S(""), nil},
		{"split_part", vals(S("11.12.13"), S(""), I(1)), S("11.12.13"), nil},
		{"split_part", vals(S("a,,b"), S(","), I(2)), S(""), nil},
		{"split_part", vals(S("a"), S(","), I(0)), null, ErrInvalidArg},
		{"instr", vals(S("SparkSQL"), S("SQL")), I(6), nil}, // doc
		{"instr", vals(S("日本語"), S("語")), I(3), nil},
		{"instr", vals(S("abc"), S("z")), I(0), nil},
		{"instr", vals(S("abc"), S("")), I(1), nil},
		{"locate", vals(S("bar"), S("foobarbar")), I(4), nil},       // doc
		{"locate", vals(S("bar"), S("foobarbar"), I(5)), I(7), nil}, // doc
		{"position", vals(S("bar"), S("foobarbar")), I(4), nil},
		{"locate", vals(S("bar"), S("foobarbar"), I(0)), I(0), nil},
		{"locate", vals(S("bar"), S("foobarbar"), null), I(0), nil},
		{"locate", vals(null, S("foobarbar")), null, nil},
		{"locate", vals(S("b"), S("日本b"), I(2)), I(3), nil},
		{"locate", vals(S("b"), S("ab"), I(9)), I(0), nil},
		{"reverse", vals(S("Spark SQL")), S("LQS krapS"), nil}, // doc
		{"reverse", vals(S("日本語")), S("語本日"), nil},
		{"repeat", vals(S("123"), I(2)), S("123123"), nil}, // doc
		{"repeat", vals(S("x"), I(-1)), S(""), nil},
		{"repeat", vals(S("xy"), I(1<<40)), null, ErrInvalidArg},
		{"initcap", vals(S("sPark sql")), S("Spark Sql"), nil}, // doc
		{"initcap", vals(S("hello-world  x")), S("Hello-world  X"), nil},
		{"initcap", vals(S("élan vital")), S("Élan Vital"), nil},
		{"startswith", vals(S("Spark SQL"), S("Spark")), B(true), nil}, // doc
		{"starts_with", vals(S("Spark SQL"), S("SQL")), B(false), nil},
		{"startswith", vals(S("x"), S("")), B(true), nil},
		{"endswith", vals(S("Spark SQL"), S("SQL")), B(true), nil},
		{"ends_with", vals(S("Spark SQL"), null), null, nil},
		{"contains", vals(S("Spark SQL"), S("k S")), B(true), nil},
		{"contains", vals(S("Spark SQL"), S("spark")), B(false), nil},
		{"ascii", vals(S("222")), I(50), nil}, // doc
		{"ascii", vals(I(2)), I(50), nil},     // doc
		{"ascii", vals(S("")), I(0), nil},
		{"ascii", vals(S("é")), I(233), nil},
		{"chr", vals(I(65)), S("A"), nil}, // doc
		{"char", vals(I(321)), S("A"), nil},
		{"chr", vals(I(-1)), S(""), nil},
		{"chr", vals(I(233)), S("é"), nil},
		{"md5", vals(S("Spark")), S("8cde774d6f7333752ed72cacddb05126"), nil},                                          // doc
		{"sha1", vals(S("Spark")), S("85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c"), nil},                                 // doc
		{"sha", vals(S("Spark")), S("85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c"), nil},                                  // doc
		{"sha2", vals(S("Spark"), I(256)), S("529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b"), nil}, // doc
		{"sha2", vals(S("Spark"), I(0)), S("529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b"), nil},
		{"sha2", vals(S("Spark"), I(100)), null, nil},
		{"base64", vals(S("Spark SQL")), S("U3BhcmsgU1FM"), nil}, // doc
		{"base64", vals(S("")), S(""), nil},
		{"unbase64", vals(S("U3BhcmsgU1FM")), X("Spark SQL"), nil},
		{"unbase64", vals(S("U3BhcmsgU1FM\n")), X("Spark SQL"), nil},
		{"unbase64", vals(S("U3BhcmsgU1F")), X("Spark SQ"), nil}, // unpadded
		{"unbase64", vals(S("***")), null, nil},
		{"hex", vals(I(17)), S("11"), nil},                          // doc
		{"hex", vals(S("Spark SQL")), S("537061726B2053514C"), nil}, // doc
		{"hex", vals(I(-1)), S("FFFFFFFFFFFFFFFF"), nil},
	})
}

func TestRegexFunctions(t *testing.T) {
	run(t, []evalCase{
		{"regexp_extract", vals(S("100-200"), S(`(\d+)-(\d+)`), I(1)), S("100"), nil}, // doc
		{"regexp_count", vals(S("1a 2b 14m"), S(`\d+`)), I(3), nil},
		{"regexp_count", vals(S("aaa"), S(`aa`)), I(1), nil},
		{"regexp_count", vals(S("the fox"), S(`FOX`)), I(0), nil},
		{"regexp_count", vals(S("x"), S(`(?=x)`)), null, ErrInvalidArg},
		{"regexp_substr", vals(S("1a 2b 14m"), S(`\d{2}(a|b|m)`)), S("14m"), nil},
		{"regexp_substr", vals(S("1a 2b 14m"), S(``)), null, nil},
		{"regexp_substr", vals(S("abc"), S(`x`)), null, nil},
		{"regexp_instr", vals(S("1a 2b 14m"), S(`\d{2}(a|b|m)`)), I(7), nil},
		{"regexp_instr", vals(S("1a 2b 14m"), S(`\d{2}(a|b|m)`), I(1)), I(9), nil},
		{"regexp_instr", vals(S("日本語x"), S(`x`)), I(4), nil},
		{"regexp_instr", vals(S("😀x"), S(`x`)), I(3), nil}, // UTF-16 units, as Java counts
		{"regexp_instr", vals(S("abc"), S(`x`)), I(0), nil},
		{"regexp_instr", vals(S("abc"), S(`b`), I(1)), null, ErrInvalidArg},
		{"luhn_check", vals(S("4111111111111111")), B(true), nil},
		{"luhn_check", vals(S("6011000000000005")), B(false), nil},
		{"luhn_check", vals(S("0")), B(true), nil},
		{"luhn_check", vals(S("")), B(false), nil},
		{"luhn_check", vals(S(" 4111111111111111")), B(false), nil},
		{"luhn_check", vals(S("510B105105105106")), B(false), nil},
		{"luhn_check", vals(I(6011111111111117)), B(true), nil},
		{"luhn_check", vals(S("٤١")), null, ErrInvalidArg},
		{"parse_url", vals(S("http://userinfo@spark.apache.org:80/path?query=1#Ref"), S("HOST")), S("spark.apache.org"), nil},
		{"parse_url", vals(S("http://userinfo@spark.apache.org/path?query=1#Ref"), S("FILE")), S("/path?query=1"), nil},
		{"parse_url", vals(S("http://userinfo@spark.apache.org/path?query=1#Ref"), S("AUTHORITY")), S("userinfo@spark.apache.org"), nil},
		{"parse_url", vals(S("http://userinfo@spark.apache.org/path?query=1#Ref"), S("USERINFO")), S("userinfo"), nil},
		{"parse_url", vals(S("http://a.com/p?x=1&yy=2&y=3"), S("QUERY"), S("y")), S("3"), nil},
		{"parse_url", vals(S("http://a.com/p?x=1"), S("QUERY"), S("z")), null, nil},
		{"parse_url", vals(S("http://a.com/p"), S("QUERY")), null, nil},
		{"parse_url", vals(S("http://a.com/p"), S("REF")), null, nil},
		{"parse_url", vals(S("http://a_b.com/p"), S("HOST")), null, nil},
		{"parse_url", vals(S("http://a.com/p"), S("host")), null, nil},
		{"parse_url", vals(S("inva lid://x"), S("HOST")), null, ErrInvalidArg},
		{"try_parse_url", vals(S("inva lid://x"), S("HOST")), null, nil},
		{"url_encode", vals(S("a b*~é")), S("a+b*%7E%C3%A9"), nil},
		{"url_decode", vals(S("a+b%2A%7e%C3%A9")), S("a b*~é"), nil},
		{"url_decode", vals(S("http%3A%2F%2spark")), null, ErrInvalidArg},
		{"url_decode", vals(S("abc%")), null, ErrInvalidArg},
		{"try_url_decode", vals(S("http%3A%2F%2spark")), null, nil},
		{"regexp_extract", vals(S("100-200"), S(`(\d+)-(\d+)`)), S("100"), nil},
		{"regexp_extract", vals(S("100-200"), S(`(\d+)-(\d+)`), I(2)), S("200"), nil},
		{"regexp_extract", vals(S("100-200"), S(`(\d+)-(\d+)`), I(0)), S("100-200"), nil},
		{"regexp_extract", vals(S("abc"), S(`(\d+)`), I(1)), S(""), nil},
		{"regexp_extract", vals(S("ab"), S(`a(x)?b`), I(1)), S(""), nil}, // group did not take part
		{"regexp_extract", vals(S("utm_source=google&x"), S(`utm_source=([^&]+)`)), S("google"), nil},
		{"regexp_extract", vals(S("a"), S(`(a)`), I(2)), null, ErrInvalidArg},
		{"regexp_extract", vals(S("a"), S(`(a)`), I(-1)), null, ErrInvalidArg},
		{"regexp_extract", vals(S("aa"), S(`(a)\1`), I(1)), null, ErrInvalidArg},                             // RE2 has no backreferences
		{"regexp_extract_all", vals(S("100-200, 300-400"), S(`(\d+)-(\d+)`), I(1)), S(`["100","300"]`), nil}, // doc
		{"regexp_extract_all", vals(S("x"), S(`(\d+)`)), S(`[]`), nil},
		// Java's find loop keeps an empty match right after a non-empty one
		// (Spark's regexp-functions.sql, Apache-2.0); Go's FindAll drops it.
		{"regexp_extract_all", vals(S("1a 2b 14m"), S(`(\d+)?`), I(1)), S(`["1","","","2","","","14","",""]`), nil},
		{"regexp_extract_all", vals(S("a 2b 14m"), S(`(\d+)?`), I(1)), S(`["","","2","","","14","",""]`), nil},
		{"regexp_count", vals(S("1a"), S(`\d*`)), I(3), nil},
		{"regexp_replace", vals(S("1a"), S(`(\d+)?`), S("x")), S("xxax"), nil},
		{"regexp_replace", vals(S("héllo"), S(`l*`), S("-")), S("-h-é--o-"), nil},
		{"regexp_replace", vals(S("100-200"), S(`(\d+)`), S("num")), S("num-num"), nil}, // doc
		{"regexp_replace", vals(S("john smith"), S(`(\w+) (\w+)`), S("$2, $1")), S("smith, john"), nil},
		{"regexp_replace", vals(S("ab"), S(`(a)`), S("$1x")), S("axb"), nil}, // Go would read $1x as a named group
		{"regexp_replace", vals(S("ab"), S(`(a)`), S("$10")), S("a0b"), nil}, // only one group: $1 then "0"
		{"regexp_replace", vals(S("ab"), S(`a`), S(`\$`)), S("$b"), nil},
		{"regexp_replace", vals(S("ab"), S(`(?P<x>a)`), S(`${x}!`)), S("a!b"), nil},
		{"regexp_replace", vals(S("ab"), S(`a`), S("$")), null, ErrInvalidArg},
		{"regexp_replace", vals(S("ab"), S(`a`), S("$2")), null, ErrInvalidArg},
		{"regexp_replace", vals(S("aaa"), S(`a`), S("b"), I(2)), S("abb"), nil},
		{"regexp_replace", vals(S("日a日a"), S(`a`), S("b"), I(3)), S("日a日b"), nil},
		{"regexp_replace", vals(S("aaa"), S(`a`), S("b"), I(0)), null, ErrInvalidArg},
		{"regexp_replace", vals(S("x"), S(`(`), S("y")), null, ErrInvalidArg},
		{"regexp_like", vals(S("%SystemDrive%\\Users\\John"), S(`%SystemDrive%\\Users.*`)), B(true), nil}, // doc
		{"rlike", vals(S("abc"), S(`b`)), B(true), nil},                                                   // partial match, like Java's find()
		{"regexp", vals(S("abc"), S(`^b`)), B(false), nil},
		{"rlike", vals(S("ABC"), S(`(?i)abc`)), B(true), nil},
		{"rlike", vals(S("a"), S(`a(?=b)`)), null, ErrInvalidArg}, // lookahead unsupported
	})
}

func TestFormatFunctions(t *testing.T) {
	run(t, []evalCase{
		{"format_number", vals(F(12332.123456), I(4)), S("12,332.1235"), nil}, // doc
		{"format_number", vals(I(12332), I(0)), S("12,332"), nil},
		{"format_number", vals(I(-1234567), I(2)), S("-1,234,567.00"), nil},
		{"format_number", vals(F(0.125), I(2)), S("0.12"), nil}, // HALF_EVEN
		{"format_number", vals(F(-999.5), I(0)), S("-1,000"), nil},
		{"format_number", vals(S("1234.5"), I(1)), S("1,234.5"), nil},
		{"format_number", vals(F(1), I(-1)), null, nil},
		{"format_number", vals(NaN(), I(1)), S("NaN"), nil},
		{"format_string", vals(S("Hello World %d %s"), I(100), S("days")), S("Hello World 100 days"), nil}, // doc
		{"printf", vals(S("Hello World %d %s"), I(100), S("days")), S("Hello World 100 days"), nil},        // doc
		{"format_string", vals(S("%.2f|%5s|%-5s|%05d"), F(3.14159), S("ab"), S("cd"), I(42)), S("3.14|   ab|cd   |00042"), nil},
		{"format_string", vals(S("%2$s %1$s"), S("world"), S("hello")), S("hello world"), nil},
		{"format_string", vals(S("%s is %s"), S("x"), null), S("x is null"), nil},
		{"format_string", vals(S("%x %X %o %%"), I(255), I(255), I(8)), S("ff FF 10 %"), nil},
		{"format_string", vals(S("%,d"), I(1234567)), S("1,234,567"), nil},
		{"format_string", vals(S("%,.2f"), F(1234567.891)), S("1,234,567.89"), nil},
		{"format_string", vals(S("%e"), F(12345.678)), S("1.234568e+04"), nil},
		{"format_string", vals(S("%b %b %c"), B(true), null, I(65)), S("true false A"), nil},
		{"format_string", vals(S("%S"), S("up")), S("UP"), nil},
		{"format_string", vals(S("%f"), I(2)), S("2.000000"), nil},
		{"format_string", vals(null, I(1)), null, nil},
		{"format_string", vals(S("no args")), S("no args"), nil},
		{"format_string", vals(S("%d")), null, ErrInvalidArg},
		{"format_string", vals(S("%d"), S("x")), null, ErrInvalidArg},
		{"format_string", vals(S("100%")), null, ErrInvalidArg},
		{"format_string", vals(S("%q"), I(1)), null, ErrInvalidArg},
	})
}

func BenchmarkSubstring(b *testing.B) {
	f, _ := Lookup("substring")
	args := vals(S(strings.Repeat("segment ", 20)), I(5), I(10))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = f.Call(args)
	}
}

func BenchmarkRegexpExtract(b *testing.B) {
	f, _ := Lookup("regexp_extract")
	args := vals(S("https://example.com/?utm_source=google&utm_medium=cpc"), S(`utm_source=([^&]+)`), I(1))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = f.Call(args)
	}
}

func TestTrimChars(t *testing.T) {
	run(t, []evalCase{
		{"trim", vals(S("SL"), S("SSparkSQLS")), S("parkSQ"), nil}, // doc: TRIM(BOTH 'SL' FROM 'SSparkSQLS'); the characters first, as Spark's trim(trimStr, srcStr)
		{"ltrim", vals(S("SL"), S("SSparkSQLS")), S("parkSQLS"), nil},
		{"rtrim", vals(S("SL"), S("SSparkSQLS")), S("SSparkSQ"), nil},
		{"btrim", vals(S("SSparkSQLS"), S("SL")), S("parkSQ"), nil}, // the string first
		{"trim", vals(S(""), S("xx")), S("xx"), nil},
		{"trim", vals(null, S("  ")), null, nil},
	})
}

// TestSplit: Spark's string-functions.sql results (Apache Spark, Apache
// License 2.0), and Java's String.split rules around empty matches.
func TestSplit(t *testing.T) {
	arr := func(s ...string) types.Value {
		v := make([]types.Value, len(s))
		for i, x := range s {
			v[i] = S(x)
		}
		return types.ArrayValue(types.ArrayOf(types.String), v)
	}
	run(t, []evalCase{
		{"split", vals(S("aa1cc2ee3"), S("[1-9]+")), arr("aa", "cc", "ee", ""), nil},
		{"split", vals(S("aa1cc2ee3"), S("[1-9]+"), I(2)), arr("aa", "cc2ee3"), nil},
		{"split", vals(S("hello"), S("")), arr("h", "e", "l", "l", "o"), nil},
		{"split", vals(S("hello"), S(""), I(1)), arr("hello"), nil},
		{"split", vals(S("hello"), S(""), I(3)), arr("h", "e", "llo"), nil},
		{"split", vals(S("hello"), S(""), I(100)), arr("h", "e", "l", "l", "o"), nil},
		{"split", vals(S(""), S("")), arr(""), nil},
		{"split", vals(S(""), S(""), I(1)), arr(""), nil},
		{"split", vals(S("abc"), null), null, nil},
		{"split", vals(S("abc"), S("x*")), arr("a", "b", "c", ""), nil},       // no empty first piece
		{"split", vals(S("1a2"), S("[0-9]")), arr("", "a", ""), nil},          // a match at the start makes one
		{"split", vals(S("a,b,,"), S(","), I(0)), arr("a", "b", "", ""), nil}, // limit 0 keeps trailing pieces
		{"split", vals(S("x"), S("(")), null, ErrInvalidArg},
	})
}
