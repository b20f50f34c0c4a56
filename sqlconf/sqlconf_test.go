package sqlconf

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		key, value string
		want       string // "" accepted; "refused" wraps ErrRefused; else a substring of the error
	}{
		{DoubleQuotedIdentifiers, "true", ""},
		{DoubleQuotedIdentifiers, "FALSE", ""},
		{DoubleQuotedIdentifiers, "1", "INVALID_CONF_VALUE.TYPE_MISMATCH"},
		{TimeZone, "UTC", ""},
		{TimeZone, "Etc/UTC", ""},
		{TimeZone, "+00:00", ""},
		{TimeZone, "Europe/Paris", "refused"},
		{ANSI, "true", ""},
		{ANSI, "false", "refused"},
		{"spark.sql.legacy.timeParserPolicy", "LEGACY", "refused"},
		{"spark.sql.ansi.enforceReservedKeywords", "true", "refused"},
		{"spark.sql.caseSensitive", "true", "refused"},
		{"spark.sql.timestampType", "TIMESTAMP_NTZ", "refused"},
		// Settings that change how Spark runs, not what it answers, and
		// keys of the user's own are kept.
		{"spark.sql.shuffle.partitions", "4", ""},
		{"spark.sql.codegen.wholeStage", "false", ""},
		{"spark.sql.caseSensitiveInferenceMode", "NEVER_INFER", ""},
		{"my.app.key", "anything", ""},
	} {
		err := Check(c.key, c.value)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s=%s: %v", c.key, c.value, err)
		case c.want == "refused" && !errors.Is(err, ErrRefused):
			t.Errorf("%s=%s: %v, want it refused", c.key, c.value, err)
		case c.want != "" && c.want != "refused" && (err == nil || errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s=%s: %v, want %q", c.key, c.value, err, c.want)
		}
	}
	if Modifiable(TimeZone) || Modifiable(ANSI) || !Modifiable(DoubleQuotedIdentifiers) || !Modifiable("spark.sql.shuffle.partitions") {
		t.Error("Modifiable")
	}
}

func TestSecrets(t *testing.T) {
	for key, want := range map[string]bool{
		"spark.hadoop.fs.s3a.secret.key": true, "spark.hadoop.fs.s3a.access.key": true, "my.PASSWORD": true,
		"spark.sql.connect.token": true, "aws.credentials.provider": true,
		DoubleQuotedIdentifiers: false, "spark.sql.shuffle.partitions": false,
	} {
		if Secret(key) != want {
			t.Errorf("Secret(%q) = %v", key, !want)
		}
	}
	for in, want := range map[string]string{
		"SET spark.hadoop.fs.s3a.secret.key = AKIA-s3cr3t; SELECT 1": "SET spark.hadoop.fs.s3a.secret.key = " + Redacted + "; SELECT 1",
		"set my.password=pw":                              "set my.password= " + Redacted,
		"SET spark.sql.shuffle.partitions = 4":            "SET spark.sql.shuffle.partitions = 4",
		"SELECT 'SET a.token = x' AS s":                   "SELECT 'SET a.token = " + Redacted,
		"SET spark.sql.ansi.doubleQuotedIdentifiers=true": "SET spark.sql.ansi.doubleQuotedIdentifiers=true",
	} {
		if got := RedactSQL(in); got != want {
			t.Errorf("RedactSQL(%q) = %q, want %q", in, got, want)
		}
	}
}
