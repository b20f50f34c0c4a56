package connect

import (
	"context"
	"hash/fnv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/types"
)

// AnalyzePlan answers what a client asks about a plan without its rows:
// schema (df.schema, df.columns), explain, printSchema's tree, is_local,
// input files, the Spark version, DDL parsing.
func (s *Service) AnalyzePlan(ctx context.Context, req *pb.AnalyzePlanRequest) (*pb.AnalyzePlanResponse, error) {
	sess, err := s.sessionFor(ctx, req.GetUserContext(), req.GetSessionId(), req.ClientObservedServerSideSessionId)
	if err != nil {
		return nil, err
	}
	resp := &pb.AnalyzePlanResponse{SessionId: sess.id, ServerSideSessionId: sess.serverSide}
	script, err := s.analyze(ctx, sess, req, resp)
	if err != nil {
		return nil, toStatus(ctx, err, script)
	}
	return resp, nil
}

// planSQL translates a plan's root relation and describes it.
func (s *Service) planSQL(ctx context.Context, sess *session, p *pb.Plan) (*translator, *rel, string, types.Schema, error) {
	root := p.GetRoot()
	if root == nil {
		return nil, nil, "", nil, invalid("the plan to analyze has no relation")
	}
	e := s.engineSession(sess)
	t := &translator{ctx: ctx, e: e, sess: sess}
	if show := root.GetShowString(); show != nil {
		return t, &rel{}, "", types.Schema{{Name: "show_string", Kind: types.String}}, nil
	}
	r, err := t.relation(root)
	if err != nil {
		return nil, nil, sqlOf(err), nil, err
	}
	script := t.rootSQL(r)
	d, err := e.Describe(ctx, script)
	if err != nil {
		return nil, nil, script, nil, err
	}
	return t, r, script, d.Schema, nil
}

func (s *Service) analyze(ctx context.Context, sess *session, req *pb.AnalyzePlanRequest, resp *pb.AnalyzePlanResponse) (string, error) {
	switch a := req.GetAnalyze().(type) {
	case *pb.AnalyzePlanRequest_Schema_:
		_, _, script, schema, err := s.planSQL(ctx, sess, a.Schema.GetPlan())
		if err != nil {
			return script, err
		}
		resp.Result = &pb.AnalyzePlanResponse_Schema_{Schema: &pb.AnalyzePlanResponse_Schema{Schema: structType(schema)}}
	case *pb.AnalyzePlanRequest_TreeString_:
		_, _, script, schema, err := s.planSQL(ctx, sess, a.TreeString.GetPlan())
		if err != nil {
			return script, err
		}
		resp.Result = &pb.AnalyzePlanResponse_TreeString_{TreeString: &pb.AnalyzePlanResponse_TreeString{TreeString: treeString(schema)}}
	case *pb.AnalyzePlanRequest_Explain_:
		t, _, script, _, err := s.planSQL(ctx, sess, a.Explain.GetPlan())
		if err != nil {
			return script, err
		}
		text := ""
		err = t.e.Run(ctx, "EXPLAIN "+script, func(r *engine.Result) error {
			text = r.Text
			if r.Rows != nil {
				return r.Rows.Close()
			}
			return nil
		})
		if err != nil {
			return "EXPLAIN " + script, err
		}
		out := "== nectar SQL ==\n" + script + "\n\n== Optimized Logical Plan ==\n" + strings.TrimRight(text, "\n") + "\n"
		resp.Result = &pb.AnalyzePlanResponse_Explain_{Explain: &pb.AnalyzePlanResponse_Explain{ExplainString: out}}
	case *pb.AnalyzePlanRequest_IsLocal_:
		_, r, script, _, err := s.planSQL(ctx, sess, a.IsLocal.GetPlan())
		if err != nil {
			return script, err
		}
		resp.Result = &pb.AnalyzePlanResponse_IsLocal_{IsLocal: &pb.AnalyzePlanResponse_IsLocal{IsLocal: r.local}}
	case *pb.AnalyzePlanRequest_IsStreaming_:
		resp.Result = &pb.AnalyzePlanResponse_IsStreaming_{IsStreaming: &pb.AnalyzePlanResponse_IsStreaming{IsStreaming: false}}
	case *pb.AnalyzePlanRequest_InputFiles_:
		resp.Result = &pb.AnalyzePlanResponse_InputFiles_{InputFiles: &pb.AnalyzePlanResponse_InputFiles{Files: readPaths(a.InputFiles.GetPlan())}}
	case *pb.AnalyzePlanRequest_SparkVersion_:
		resp.Result = &pb.AnalyzePlanResponse_SparkVersion_{SparkVersion: &pb.AnalyzePlanResponse_SparkVersion{Version: SparkVersion}}
	case *pb.AnalyzePlanRequest_DdlParse:
		schema, err := parseDDL(a.DdlParse.GetDdlString())
		if err != nil {
			return "", err
		}
		dt := structType(schema)
		// A bare type ("int") parses to that type, not a struct.
		if ddl := strings.TrimSpace(a.DdlParse.GetDdlString()); len(schema) == 1 && schema[0].Name == "value" && !strings.ContainsAny(ddl, " :,") {
			dt = dataType(schema[0].Kind)
		}
		resp.Result = &pb.AnalyzePlanResponse_DdlParse{DdlParse: &pb.AnalyzePlanResponse_DDLParse{Parsed: dt}}
	case *pb.AnalyzePlanRequest_JsonToDdl:
		schema, err := parseSchemaString(a.JsonToDdl.GetJsonString())
		if err != nil {
			return "", err
		}
		resp.Result = &pb.AnalyzePlanResponse_JsonToDdl{JsonToDdl: &pb.AnalyzePlanResponse_JsonToDDL{DdlString: ddl(schema)}}
	case *pb.AnalyzePlanRequest_SameSemantics_:
		_, _, a1, _, err := s.planSQL(ctx, sess, a.SameSemantics.GetTargetPlan())
		if err != nil {
			return a1, err
		}
		_, _, a2, _, err := s.planSQL(ctx, sess, a.SameSemantics.GetOtherPlan())
		if err != nil {
			return a2, err
		}
		resp.Result = &pb.AnalyzePlanResponse_SameSemantics_{SameSemantics: &pb.AnalyzePlanResponse_SameSemantics{Result: stripAliases(a1) == stripAliases(a2)}}
	case *pb.AnalyzePlanRequest_SemanticHash_:
		_, _, script, _, err := s.planSQL(ctx, sess, a.SemanticHash.GetPlan())
		if err != nil {
			return script, err
		}
		h := fnv.New32a()
		h.Write([]byte(stripAliases(script)))
		resp.Result = &pb.AnalyzePlanResponse_SemanticHash_{SemanticHash: &pb.AnalyzePlanResponse_SemanticHash{Result: int32(h.Sum32())}}
	case *pb.AnalyzePlanRequest_Persist_:
		// df.cache() and persist(): nectar keeps nothing between
		// actions, and each reads the files anew; the answers are the same.
		resp.Result = &pb.AnalyzePlanResponse_Persist_{Persist: &pb.AnalyzePlanResponse_Persist{}}
	case *pb.AnalyzePlanRequest_Unpersist_:
		resp.Result = &pb.AnalyzePlanResponse_Unpersist_{Unpersist: &pb.AnalyzePlanResponse_Unpersist{}}
	case *pb.AnalyzePlanRequest_GetStorageLevel_:
		resp.Result = &pb.AnalyzePlanResponse_GetStorageLevel_{GetStorageLevel: &pb.AnalyzePlanResponse_GetStorageLevel{StorageLevel: &pb.StorageLevel{Replication: 1}}}
	case nil:
		return "", invalid("an analyze request with no question")
	default:
		return "", unsupported("the analysis %T", a)
	}
	return "", nil
}

// stripAliases drops the translator's own aliases (_t1, _t2, …), which
// differ between two translations of one plan.
func stripAliases(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		if sql[i] == '_' && i+1 < len(sql) && sql[i+1] == 't' && (i == 0 || !isWord(sql[i-1])) {
			j := i + 2
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			if j > i+2 && (j == len(sql) || !isWord(sql[j])) {
				b.WriteString("_t")
				i = j - 1
				continue
			}
		}
		b.WriteByte(sql[i])
	}
	return b.String()
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// readPaths lists the paths the plan's data-source reads name
// (df.inputFiles(); nectar lists the patterns as given).
func readPaths(p *pb.Plan) []string {
	var out []string
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if ds, ok := m.Interface().(*pb.Read_DataSource); ok {
			out = append(out, ds.GetPaths()...)
			if p, ok := ds.GetOptions()["path"]; ok {
				out = append(out, p)
			}
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					walk(l.Get(i).Message())
				}
			case fd.IsMap() && fd.MapValue().Message() != nil:
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					walk(mv.Message())
					return true
				})
			case fd.Message() != nil && !fd.IsMap():
				walk(v.Message())
			}
			return true
		})
	}
	if p != nil {
		walk(p.ProtoReflect())
	}
	return out
}
