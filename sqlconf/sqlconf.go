// Package sqlconf knows Spark's SQL settings (SET key = value) as nectar
// sees them: those it honours, those it computes one way only, and the
// families of settings that change Spark's answers, which nectar refuses
// rather than keep without effect. Sessions keep the values
// (engine.State); the Spark backend sets the fixed ones on its sessions.
package sqlconf

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Setting names nectar honours.
const (
	// DoubleQuotedIdentifiers makes "x" a quoted name rather than a string
	// (syntax.Options): tools that quote names the SQL standard's way
	// (JDBC and BI clients) turn it on.
	DoubleQuotedIdentifiers = "spark.sql.ansi.doubleQuotedIdentifiers"
	TimeZone                = "spark.sql.session.timeZone"
	ANSI                    = "spark.sql.ansi.enabled"
)

// Defaults are the settings nectar honours, at their defaults.
var Defaults = map[string]string{
	DoubleQuotedIdentifiers: "false",
	TimeZone:                "UTC",
	ANSI:                    "true",
}

// Fixed are the settings nectar computes one way only, with that value:
// setting another is refused, so that no answer silently differs from
// Spark's with it. A Spark backend sets them on its sessions.
var Fixed = map[string]string{TimeZone: "UTC", ANSI: "true"}

// changesAnswers matches the families of Spark settings that change
// answers (legacy behaviours, ANSI variants, type and parser choices).
// Settings outside them (shuffle partitions, codegen, an application's
// own keys) only change how Spark runs, and are kept as Spark keeps them.
var changesAnswers = regexp.MustCompile(`^spark\.sql\.(legacy\.|ansi\.|parser\.|datetime\.|json\.|csv\.|decimalOperations\.|caseSensitive$|timestampType$|mapKeyDedupPolicy$|storeAssignmentPolicy$|variable\.substitute$)`)

// ErrRefused is wrapped by the error of a setting nectar cannot honour.
var ErrRefused = errors.New("setting refused")

type refused string

func (r refused) Error() string      { return string(r) }
func (refused) Is(target error) bool { return target == ErrRefused }

// Modifiable reports whether key may take another value than its default,
// as Spark Connect's isModifiable asks.
func Modifiable(key string) bool {
	_, fixed := Fixed[key]
	return !fixed
}

// Check says whether key = value is a setting nectar can keep: an error
// wrapping ErrRefused if nectar cannot honour it, another error if the
// value does not fit the setting.
func Check(key, value string) error {
	_, honoured := Defaults[key]
	switch want, fixed := Fixed[key]; {
	case fixed:
		if !same(key, value, want) {
			return refused(fmt.Sprintf("%s=%s: nectar computes with %s=%s, and cannot answer as Spark would with another value", key, value, key, want))
		}
	case key == DoubleQuotedIdentifiers:
		if _, err := Bool(value); err != nil {
			return fmt.Errorf("[INVALID_CONF_VALUE.TYPE_MISMATCH] the value '%s' in the config %q is invalid: it requires a boolean value (true or false)", value, key)
		}
	case !honoured && changesAnswers.MatchString(key):
		return refused(fmt.Sprintf("nectar does not have the Spark setting %s: it answers as Spark does with that setting's default, so it refuses to set it rather than ignore it (settings it has: %s)",
			key, strings.Join(slices.Sorted(maps.Keys(Defaults)), ", ")))
	}
	return nil
}

// Bool reads a boolean setting as Spark does: true or false, in any case.
func Bool(value string) (bool, error) {
	switch strings.ToLower(value) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", value)
}

func same(key, value, want string) bool {
	if key == TimeZone {
		switch strings.ToUpper(value) {
		case "UTC", "Z", "GMT", "ETC/UTC", "+00:00", "UTC+00:00", "GMT+00:00":
			return true
		}
	}
	return strings.EqualFold(value, want)
}

// Redacted is what SET shows for the value of a secret setting, as Spark
// shows it.
const Redacted = "*********(redacted)"

// secretWords is Spark's spark.redaction.regex default, (?i)secret|
// password|token|access[.]key, with credential added, as the Spark
// backend's --conf check has it.
const secretWords = `secret|password|token|access[.]?key|credential`

var secretKey = regexp.MustCompile(`(?i)` + secretWords)

// Secret reports whether key's value is a credential: SET shows it as
// Redacted, and logs never hold it (RedactSQL).
func Secret(key string) bool { return secretKey.MatchString(key) }

// setSecret finds the value of a SET of a secret key in SQL text: SET,
// the key, '=', and the value up to the statement's end.
var setSecret = regexp.MustCompile(`(?is)(\bSET\s+[A-Za-z0-9_.:]*(?:` + secretWords + `)[A-Za-z0-9_.:]*\s*=)[^;]*`)

// RedactSQL returns sql with the values of SETs of secret keys replaced by
// Redacted, for logs.
func RedactSQL(sql string) string {
	return setSecret.ReplaceAllString(sql, "$1 "+Redacted)
}
