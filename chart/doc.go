// Package chart draws a query's result as a chart with gonum/plot, for
// `nectar query --plot out.png|out.svg` and the shell's .plot: the first
// column is the x axis (a line per series when it is a time, a date or a
// number; bars when it names categories), the numeric columns after it
// are the series, or a second, non-numeric column names them (the
// hour-by-variant chart of one GROUP BY hour, variant). Titles and axis
// labels come from the column names.
//
// It reads rows as engine returns them (types.Value) and knows nothing of
// sessions; experiment draws its own report charts.
package chart
