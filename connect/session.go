package connect

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/sqlconf"
)

// tableSource is an in-memory table a session keeps (a createDataFrame's
// rows, a range).
type tableSource = plan.Source

// session is a Spark session: what a client's session_id names, for one
// user. Its temporary views and configuration are its own, as in Spark.
type session struct {
	id, user   string
	serverSide string        // server_side_session_id: a new one after a restart tells clients their session is gone
	state      *engine.State // views and settings

	mu       sync.Mutex
	tables   map[string]tableSource
	ops      map[string]*operation
	lastUsed time.Time
}

func newSession(user, id string) *session {
	return &session{id: id, user: user, serverSide: uuid.NewString(), state: engine.NewState(defaults),
		tables: map[string]tableSource{}, ops: map[string]*operation{}, lastUsed: time.Now()}
}

// localPrefix starts the names of the session's in-memory tables.
const localPrefix = "_connect_local_"

// register keeps a table made by make (nil: none, make failed) under a name derived from key, a
// digest of its content: pyspark sends a createDataFrame's rows again with
// every action on the frame, and the same rows must not be kept once per
// action. The name is stable, so a temporary view over the frame finds
// its table in later requests.
func (s *session) register(key []byte, make func(name string) tableSource) string {
	sum := sha256.Sum256(key)
	name := localPrefix + hex.EncodeToString(sum[:8])
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tables[name]; !ok {
		if t := make(name); t != nil {
			s.tables[name] = t
		}
	}
	return name
}

func (s *session) table(name string) tableSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tables[name]
}

// prepare readies an engine session for this Spark session: its views,
// and its in-memory tables (a view over createDataFrame reads them).
func (s *session) prepare(e *engine.Session) {
	e.ShareState(s.state)
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, t := range s.tables {
		e.Register(name, t)
	}
}

// defaults are the values of the settings clients read, as Spark 4 has
// them; nectar's own (sqlconf.Defaults: UTC, ANSI) come with every State.
var defaults = map[string]string{
	"spark.sql.timestampType":                                         "TIMESTAMP_LTZ",
	"spark.sql.sources.default":                                       "parquet",
	"spark.sql.session.localRelationCacheThreshold":                   "67108864",
	"spark.sql.session.localRelationSizeLimit":                        "3221225472",
	"spark.sql.session.localRelationChunkSizeRows":                    "10000",
	"spark.sql.session.localRelationChunkSizeBytes":                   "16777216",
	"spark.sql.session.localRelationBatchOfChunksSizeBytes":           "67108864",
	"spark.sql.execution.pandas.convertToArrowArraySafely":            "false",
	"spark.sql.execution.pandas.inferPandasDictAsMap":                 "false",
	"spark.sql.execution.pandas.structHandlingMode":                   "legacy",
	"spark.sql.execution.arrow.pyspark.selfDestruct.enabled":          "false",
	"spark.sql.execution.arrow.useLargeVarTypes":                      "false",
	"spark.sql.execution.pyspark.binaryAsBytes":                       "true",
	"spark.sql.execution.pythonUDF.arrow.enabled":                     "false",
	"spark.sql.execution.pythonUDTF.arrow.enabled":                    "false",
	"spark.sql.pyspark.inferNestedDictAsStruct.enabled":               "false",
	"spark.sql.pyspark.legacy.inferArrayTypeFromFirstElement.enabled": "false",
	"spark.sql.pyspark.legacy.inferMapTypeFromFirstPair.enabled":      "false",
	"spark.sql.pyspark.jvmStacktrace.enabled":                         "false",
	"spark.sql.connect.serverStacktrace.enabled":                      "false",
	"spark.sql.repl.eagerEval.enabled":                                "false",
	"spark.sql.repl.eagerEval.maxNumRows":                             "20",
	"spark.sql.repl.eagerEval.truncate":                               "20",
	"spark.sql.shuffle.partitions":                                    "200",
	"spark.app.name":                                                  "nectar",
}

// conf is a setting's value: the session's, else the default ("" when
// neither).
func (s *session) conf(key string) string {
	v, _ := s.state.Setting(key)
	return v
}

// lookupConf is conf that says whether the key has a value.
func (s *session) lookupConf(key string) (string, bool) { return s.state.Setting(key) }

// setConf sets key, refusing a value nectar cannot honour.
func (s *session) setConf(key, value string) error {
	if err := s.state.Set(key, value); err != nil {
		if errors.Is(err, sqlconf.ErrRefused) {
			return unsupported("%v", err)
		}
		return invalid("%v", err)
	}
	return nil
}
