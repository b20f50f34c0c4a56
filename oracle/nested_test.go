package oracle

// nestedSQL gives, for each corpus case over arrays, maps and structs that
// DuckDB can express, the DuckDB SQL that means the same: unnest for
// explode (a LEFT JOIN LATERAL for the OUTER forms), 1-based subscripts,
// list_transform and list_filter for Spark's transform and filter. The
// oracle runs it against the case's own inputs and expected rows, so those
// outputs are checked by an engine nobody here wrote. Cases it cannot
// express are in differences, with the reason.
var nestedSQL = map[string]string{
	"nested/lateral_view_gmv":     "SELECT p.product_id AS product_id, sum(p.price * p.quantity) AS gmv, sum(p.quantity) AS units FROM (SELECT unnest(properties.products) AS p FROM t WHERE event = 'Order Completed') GROUP BY p.product_id",
	"nested/lateral_view_inner":   "SELECT id, p.sku AS sku FROM (SELECT id, unnest(properties.products) AS p FROM t)",
	"nested/lateral_view_outer":   "SELECT t.id, u.p.sku AS sku FROM t LEFT JOIN LATERAL (SELECT unnest(t.properties.products) AS p) u ON true",
	"nested/select_explode":       "SELECT id, unnest(properties.tags) AS tag FROM t",
	"nested/explode_outer_select": "SELECT t.id, u.tag FROM t LEFT JOIN LATERAL (SELECT unnest(t.properties.tags) AS tag) u ON true WHERE t.id >= 2",
	"nested/posexplode":           "SELECT id, generate_subscripts(properties.tags, 1) - 1 AS pos, unnest(properties.tags) AS col FROM t",
	"nested/inline":               "SELECT p.price AS price, p.product_id AS product_id, p.quantity AS quantity, p.sku AS sku FROM (SELECT unnest(properties.products) AS p FROM t WHERE id = 1)",
	"nested/element_path":         "SELECT id, properties.products[1].sku AS first, properties.products[2].sku AS second FROM t",
	"nested/array_field":          "SELECT id, list_transform(properties.products, x -> x.price) AS prices FROM t WHERE id <= 2",
	"nested/size_contains":        "SELECT id, len(properties.tags) AS n, list_contains(properties.tags, 'gift') AS g FROM t",
	"nested/transform_filter":     "SELECT id, list_transform(properties.products, p -> p.price * p.quantity) AS totals, list_transform(list_filter(properties.products, p -> p.quantity > 1), p -> p.sku) AS multi FROM t WHERE id <= 3",
	"nested/aggregate_lambda":     "SELECT id, CASE WHEN properties.products IS NOT NULL THEN coalesce(list_sum(list_transform(properties.products, p -> p.price * p.quantity)), 0.0) END AS total FROM t",
	"nested/exists_forall":        "SELECT id, len(list_filter(properties.products, p -> p.quantity > 1)) > 0 AS any_multi, len(list_filter(properties.products, p -> NOT (p.price > 5))) = 0 AS all_pricey FROM t",
	"nested/collect":              "SELECT event, list_sort(list(p.sku)) AS skus, list_sort(list(DISTINCT p.sku)) AS distinct_skus FROM (SELECT event, unnest(properties.products) AS p FROM t) GROUP BY event",
	"nested/map_subscript":        "SELECT MAP {'a': 1, 'b': 2}['b'] AS v, MAP {'a': 1}['z'] AS missing, {'f': 7}['f'] AS f",
	"nested/concat_arrays":        "SELECT [1] || [2, 3] AS a, list_concat(['x'], ['y']) AS c, list_concat([1.0], [2.5]) AS w",
	"nested/group_by_array":       "SELECT properties.tags AS tags, count(*) AS n FROM t GROUP BY properties.tags ORDER BY tags",
	"nested/lambda_in_where":      "SELECT count(*) AS orders, sum(len(list_filter(properties.products, p -> p.price > 5))) AS pricey FROM t WHERE len(list_filter(properties.products, p -> p.sku = 'S1')) > 0",
	"nested/path_through_view":    "SELECT id, properties.products[2].sku AS second FROM (SELECT * FROM t) AS v",
	"nested/lambda_closure":       "SELECT id, list_transform([1, 2], (x, i) -> x * 10 + (i - 1) + id) AS a, list_transform([[1, 2], [3]], xs -> list_sum(xs)) AS sums FROM t WHERE id = 2",
}
