package server

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"

	"github.com/nectar-dev/nectar/types"
)

// paramValues reads a prepared statement's parameters from the record
// batches a client binds: one row, a column per ? placeholder. nectar
// runs a query with one set of values; several rows (executemany) are
// refused rather than silently run once.
func paramValues(rdr flight.MessageReader) ([]types.Value, error) {
	var out []types.Value
	rows := 0
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			if rows++; rows > 1 {
				return nil, fmt.Errorf("parameters bound for %d or more executions: nectar runs a query with one set of values", rows)
			}
			out = make([]types.Value, rec.NumCols())
			for j := range out {
				v, err := arrowValue(rec.Column(j), i)
				if err != nil {
					return nil, fmt.Errorf("parameter %d: %w", j+1, err)
				}
				out[j] = v
			}
		}
	}
	if err := rdr.Err(); err != nil {
		return nil, fmt.Errorf("read parameters: %w", err)
	}
	return out, nil
}

// arrowValue reads element i of arr as the literal nectar would write for
// it: integers of every width as BIGINT, floats as DOUBLE, text as STRING,
// timestamps (any unit, any zone: an instant) as TIMESTAMP, dates as DATE.
// ADBC binds Python values as int64, double, string, bool, timestamp and
// date32; the JDBC driver binds the Arrow types of the parameter schema,
// which come from parquetfile.ArrowSchema; Go's driver binds int64,
// float64, string, bool and timestamps.
func arrowValue(arr arrow.Array, i int) (types.Value, error) {
	if arr.IsNull(i) {
		return types.NullValue, nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return types.BoolValue(a.Value(i)), nil
	case *array.Int8:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Int16:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Int32:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Int64:
		return types.IntValue(a.Value(i)), nil
	case *array.Uint8:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Uint16:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Uint32:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Uint64:
		if v := a.Value(i); v <= math.MaxInt64 {
			return types.IntValue(int64(v)), nil
		}
		return types.Value{}, fmt.Errorf("%d is beyond BIGINT", a.Value(i))
	case *array.Float32:
		return types.FloatValue(float64(a.Value(i))), nil
	case *array.Float64:
		return types.FloatValue(a.Value(i)), nil
	case *array.String:
		return types.StringValue(a.Value(i)), nil
	case *array.LargeString:
		return types.StringValue(a.Value(i)), nil
	case *array.StringView:
		return types.StringValue(a.Value(i)), nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return types.TimestampValue(a.Value(i).ToTime(unit)), nil
	case *array.Date32:
		return types.DateValue(int64(a.Value(i))), nil
	case *array.Date64:
		return types.DateValue(int64(a.Value(i)) / 86_400_000), nil
	case *array.Null:
		return types.NullValue, nil
	case *array.DenseUnion:
		return arrowValue(a.Field(a.ChildID(i)), int(a.ValueOffset(i)))
	case *array.SparseUnion:
		return arrowValue(a.Field(a.ChildID(i)), i)
	}
	return types.Value{}, fmt.Errorf("values of Arrow type %s are not supported (bind BIGINT, DOUBLE, STRING, BOOLEAN, DATE or TIMESTAMP)", arr.DataType())
}

// ticket is what a Flight SQL ticket holds: the script and its parameter
// values, so that any DoGet can run it without state left on the server,
// and an id that CancelFlightInfo names it by. It is the client's own
// query, sent back: it grants nothing the client could not ask for
// directly, and the DoGet that runs it is authenticated like any call.
type ticket struct {
	ID     string        `json:"id"`
	Query  string        `json:"q"`
	Params []ticketValue `json:"p,omitempty"`
}

// ticketValue is a types.Value in JSON, a DOUBLE by its bits so that NaN
// and infinities survive.
type ticketValue struct {
	K types.Kind `json:"k"`
	I int64      `json:"i,omitempty"`
	F uint64     `json:"f,omitempty"`
	S string     `json:"s,omitempty"`
}

func encodeTicket(t ticket) ([]byte, error) { return json.Marshal(t) }

func decodeTicket(b []byte) (ticket, error) {
	var t ticket
	if err := json.Unmarshal(b, &t); err != nil || t.ID == "" {
		return ticket{}, fmt.Errorf("not a ticket of this server")
	}
	return t, nil
}

func ticketValues(vs []types.Value) []ticketValue {
	out := make([]ticketValue, len(vs))
	for i, v := range vs {
		out[i] = ticketValue{K: v.K, I: v.I, F: math.Float64bits(v.F), S: v.S}
	}
	return out
}

func (t ticket) values() ([]types.Value, error) {
	out := make([]types.Value, len(t.Params))
	for i, v := range t.Params {
		if v.K > types.Date {
			return nil, fmt.Errorf("not a ticket of this server")
		}
		out[i] = types.Value{K: v.K, I: v.I, F: math.Float64frombits(v.F), S: v.S}
	}
	return out, nil
}
