// The Arrow Flight SQL JDBC driver against a running `nectar serve`
// (scripts/serve-clients-test.sh starts it and passes the port, the user
// and the password as arguments, and the CLI's answers as expectations).
//
// Each check prints "ok NAME" or "FAIL NAME: why"; the last line is
// "N passed, N failed" and the exit code is the number of failures.

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

public class JdbcClientTest {
    static int passed, failed;

    interface Check { void run() throws Exception; }

    static void check(String name, Check c) {
        try {
            c.run();
            passed++;
            System.out.println("ok " + name);
        } catch (Throwable e) {
            failed++;
            System.out.println("FAIL " + name + ": " + e);
        }
    }

    static void expect(boolean cond, String what) {
        if (!cond) throw new AssertionError(what);
    }

    static Connection connect(String port, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("useEncryption", "false");
        return DriverManager.getConnection("jdbc:arrow-flight-sql://127.0.0.1:" + port, p);
    }

    static List<String> rows(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                if (i > 1) b.append('|');
                b.append(rs.getString(i));
            }
            out.add(b.toString());
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        String port = args[0], user = args[1], password = args[2];
        long events = Long.parseLong(args[3]);        // count(*) FROM events, from the CLI
        long dearCarts = Long.parseLong(args[4]);     // Added to Cart with price > 20.5, from the CLI

        try (Connection conn = connect(port, user, password)) {
            check("executeQuery", () -> {
                try (Statement st = conn.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*) AS n FROM events")) {
                    expect(rs.next(), "a row");
                    expect(rs.getLong("n") == events, "count " + rs.getLong("n") + ", CLI " + events);
                    expect("BIGINT".equals(rs.getMetaData().getColumnTypeName(1)) || rs.getMetaData().getColumnType(1) == java.sql.Types.BIGINT,
                        "type " + rs.getMetaData().getColumnTypeName(1));
                }
            });
            check("PreparedStatement", () -> {
                String q = "SELECT count(*) AS n FROM events WHERE event = ? AND properties.price > ?";
                try (PreparedStatement ps = conn.prepareStatement(q)) {
                    ps.setString(1, "Added to Cart");
                    ps.setDouble(2, 20.5);
                    try (ResultSet rs = ps.executeQuery()) {
                        expect(rs.next() && rs.getLong(1) == dearCarts, "count, CLI " + dearCarts);
                    }
                    ps.setString(1, "x' OR '1' = '1");
                    ps.setInt(2, 0);
                    try (ResultSet rs = ps.executeQuery()) {
                        expect(rs.next() && rs.getLong(1) == 0, "a quote in a parameter changed the query");
                    }
                }
            });
            check("execute DDL, then query the view", () -> {
                try (Statement st = conn.createStatement()) {
                    st.execute("CREATE OR REPLACE VIEW jdbc_carts AS SELECT messageId, properties.price AS price FROM events WHERE event = 'Added to Cart'");
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM jdbc_carts WHERE price > 20.5")) {
                        expect(rs.next() && rs.getLong(1) == dearCarts, "count through the view");
                    }
                }
            });
            check("getTables", () -> {
                DatabaseMetaData md = conn.getMetaData();
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = md.getTables(null, null, "%", null)) {
                    while (rs.next()) tables.add(rs.getString("TABLE_NAME") + " " + rs.getString("TABLE_TYPE"));
                }
                expect(tables.contains("events TABLE"), "tables " + tables);
                expect(tables.contains("jdbc_carts VIEW"), "tables " + tables);
                expect("`".equals(md.getIdentifierQuoteString()), "quote " + md.getIdentifierQuoteString());
                expect(md.getDatabaseProductName().equals("nectar"), "product " + md.getDatabaseProductName());
            });
            check("getColumns", () -> {
                List<String> cols = new ArrayList<>();
                try (ResultSet rs = conn.getMetaData().getColumns(null, null, "jdbc_carts", "%")) {
                    while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
                }
                expect(cols.equals(List.of("messageId STRING", "price DOUBLE")), "columns " + cols);
            });
            check("SET spark.sql.ansi.doubleQuotedIdentifiers = true, then double-quoted names", () -> {
                try (Statement st = conn.createStatement()) {
                    // As a tool that quotes names with double quotes sends it.
                    st.execute("SET spark.sql.ansi.doubleQuotedIdentifiers = true");
                    String q = "SELECT count(*) AS \"n\" FROM \"events\" WHERE \"event\" = 'Added to Cart' AND \"properties\".\"price\" > 20.5";
                    try (ResultSet rs = st.executeQuery(q)) {
                        expect(rs.next() && rs.getLong("n") == dearCarts, "count with double-quoted names, CLI " + dearCarts);
                    }
                    st.execute("RESET spark.sql.ansi.doubleQuotedIdentifiers");
                    try (ResultSet rs = st.executeQuery("SELECT \"event\" FROM events LIMIT 1")) {
                        expect(rs.next() && "event".equals(rs.getString(1)), "after RESET a double-quoted text is a string");
                    }
                }
            });
            check("a syntax error is an SQLException with the position", () -> {
                try (Statement st = conn.createStatement()) {
                    st.executeQuery("SELECT event FRM events");
                    throw new AssertionError("no error");
                } catch (SQLException e) {
                    expect(e.getMessage().contains("1:14"), "message " + e.getMessage());
                }
            });
        }
        check("a wrong password is refused", () -> {
            try (Connection c = connect(port, user, password + "-wrong")) {
                c.createStatement().executeQuery("SELECT 1").close();
                throw new AssertionError("connected");
            } catch (SQLException e) {
                expect(!String.valueOf(e.getMessage()).contains(password), "the message holds the password");
            }
        });
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed);
    }
}
