// Package jsonpath is the path into a JSON line that nectar's columns name
// (properties.products[0].price): its parsing and canonical text. It is
// the vocabulary the scanner (package scan), the Spark translation
// (sparksql, spark) and the sources share, so none of them imports
// another for it.
package jsonpath
