-- The seed analysis as a script: "Added to Cart" events from the Food
-- vertical, by recommender variant and by hour of day. It reads the source
-- `logs` of the README's nectar.yaml; from the repository root, after
-- `./nectar gen --out logs …`:
--
--   ./nectar query -f examples/analysis.sql                      # tables on the terminal
--   ./nectar query -f examples/analysis.sql --format csv -o 'result-{n}.csv'
--
-- Each query's result goes to its own file: result-1.csv, result-2.csv.

CREATE OR REPLACE VIEW food_carts AS
SELECT properties.recommender.variant AS variant,
       hour(timestamp)                AS hour_of_day,
       anonymousId
FROM logs
WHERE event = 'Added to Cart' AND properties.vertical = 'Food';

-- 1: by variant (NULL: the product was not shown by the recommender)
SELECT variant, count(*) AS added_to_cart, count(DISTINCT anonymousId) AS visitors
FROM food_carts
GROUP BY variant
ORDER BY added_to_cart DESC;

-- 2: by variant and hour of day, in pipe syntax
FROM food_carts
|> AGGREGATE count(*) AS added_to_cart GROUP BY variant, hour_of_day
|> ORDER BY variant, hour_of_day;
